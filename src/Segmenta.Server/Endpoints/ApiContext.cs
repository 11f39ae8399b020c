using Segmenta.Documents;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Server.Hosting;
using Segmenta.Warehouse;

namespace Segmenta.Server.Endpoints;

/// <summary>What the endpoints share: the as-of instant of a request, the workspace's documents and segment library.</summary>
internal static class ApiContext
{
    /// <summary>The request's as-of: the parameter (a date or an ISO 8601 time), else the workspace's, else now; to whole seconds.</summary>
    public static EvaluationContext Context(WarehouseAccess access, string? asOf, string parameter = "as_of") =>
        access.Settings.Context(asOf, parameter, access.Time);

    /// <summary>The documents of the workspace, for one request.</summary>
    public static WorkspaceViews Views(WarehouseAccess access, IWarehouse warehouse) => new(access.Workspace, warehouse);

    public static SegmentLibrary Library(WarehouseAccess access, IWarehouse warehouse) => Views(access, warehouse).Library;

    /// <summary>An instant parameter, to whole seconds.</summary>
    public static DateTime Instant(WarehouseAccess access, string parameter, string text) => Context(access, text, parameter).AsOf;
}
