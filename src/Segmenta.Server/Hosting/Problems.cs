using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Segmenta.Access;
using Segmenta.Campaigns;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Configuration;
using Segmenta.Ingestion;
using Segmenta.Refresh;
using Segmenta.Segments;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Server.Hosting;

/// <summary>A request the API cannot answer as asked: its status, a title and what to do instead.</summary>
internal sealed class ApiProblem(int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;

    public static ApiProblem NotFound(string detail) => new(404, "Not found", detail);

    public static ApiProblem BadRequest(string detail) => new(400, "Bad request", detail);
}

/// <summary>
/// Every failure as RFC 9457 problem details: the user's mistakes the core reports (bad segment text,
/// unknown names, settings) are 400/404/422 with the core's message, warehouse trouble 503; anything
/// else is a bug, logged, and answered 500 without internals.
/// </summary>
internal sealed partial class Problems(IProblemDetailsService details, ILogger<Problems> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        exception = Unwrapped(exception);
        var (status, title, extensions) = exception switch
        {
            ApiProblem p => (p.Status, p.Title, p.Extensions),
            BadHttpRequestException b => (b.StatusCode, "Bad request", null),
            IngestSetupException or ClusterSetupException or ConfigurationException or WorkspaceException or CampaignException or ApiKeyException or Model.UnknownTraitException
                => (400, "Bad request", null),
            UnknownCampaignException or UnknownSegmentException => (404, "Not found", null),
            CampaignLaunchedException => (409, "Already launched", null),
            HistoryException => (409, "Conflicts with the recorded history", null),
            ModelFitException => (422, "The model cannot be fitted", null),
            RefreshFailedException r => (500, $"Refresh failed at step {r.Step}", (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["failed_step"] = r.Step }),
            _ when httpContext.RequestServices.GetService(typeof(WarehouseAccess)) is WarehouseAccess access && access.IsFault(exception)
                => (503, "The warehouse failed", null),
            OperationCanceledException => (499, "Cancelled", null),
            _ => (500, "Internal error", null),
        };
        var detail = status switch
        {
            500 when exception is not RefreshFailedException => "an unexpected error; the server log has the details",
            503 => "the warehouse failed: " + exception.Message + "; retry later",
            _ => exception.Message,
        };
        if (status >= 500)
        {
            // What the client is not told, the log is: every server-side failure with its exception.
            LogFailure(log, exception, httpContext.Request.Method, httpContext.Request.Path, status);
        }

        if (status == 503)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return await details.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} answered {Status}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path, int status);

    /// <summary>The exception that says what went wrong: an aggregate of one is its inner exception.</summary>
    private static Exception Unwrapped(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrapped(aggregate.InnerExceptions[0]) : exception;

    /// <summary>Writes a problem response outside the exception path (authentication, rate limits).</summary>
    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        return service is null
            ? context.Response.WriteAsJsonAsync(problem)
            : service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
