using Segmenta.Configuration;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Server.Hosting;
using Segmenta.Warehouse;

namespace Segmenta.Server.Endpoints;

/// <summary>What the endpoints share: the as-of instant of a request, the segment library, names resolved or refused with 404.</summary>
internal static class ApiContext
{
    /// <summary>The request's as-of: the parameter (a date or an ISO 8601 time), else the workspace's, else now; to whole seconds.</summary>
    public static EvaluationContext Context(WarehouseAccess access, string? asOf, string parameter = "as_of") =>
        access.Settings.Context(asOf, parameter, access.Time);

    public static SegmentLibrary Library(WarehouseAccess access, IWarehouse warehouse) =>
        SegmentLibrary.Load(access.Workspace, SegmentLibrary.SchemaOf(warehouse, access.Settings));

    /// <summary>A compiled segment by name, or 404 with a suggestion (or 422 when its file has errors).</summary>
    public static SegmentDefinition Segment(SegmentLibrary library, string name)
    {
        try
        {
            return library.Require(name);
        }
        catch (SegmentErrorsException e)
        {
            throw new ApiProblem(422, "The segment does not compile", $"{e.Message}; POST its text to /api/segments/check to see them");
        }
        catch (UnknownSegmentException e)
        {
            throw ApiProblem.NotFound(e.Message);
        }
    }

    /// <summary>An instant parameter, to whole seconds.</summary>
    public static DateTime Instant(WarehouseAccess access, string parameter, string text) => Context(access, text, parameter).AsOf;
}
