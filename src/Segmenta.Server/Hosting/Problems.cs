using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Segmenta.Refresh;
using Segmenta.Segments;

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
/// Every failure as RFC 9457 problem details: every failure the core reports is a <see cref="SegmentaException"/>
/// answered with the status of its kind (<see cref="StatusOf"/>) and the core's message; a fault of the warehouse
/// (the adapter says which) is 503; anything else is a bug, logged, and answered 500 without internals.
/// </summary>
internal sealed partial class Problems(IProblemDetailsService details, ILogger<Problems> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int Status, string Title, string Detail)? core = exception is SegmentaException failure ? Of(failure) : null;
        var (status, title, extensions) = exception switch
        {
            ApiProblem p => (p.Status, p.Title, p.Extensions),
            BadHttpRequestException b => (b.StatusCode, "Bad request", null),
            RefreshFailedException r => (500, $"Refresh failed at step {r.Step}", (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["failed_step"] = r.Step }),
            _ when core is { } c => (c.Status, c.Title, null),
            _ when httpContext.RequestServices.GetService(typeof(WarehouseAccess)) is WarehouseAccess access && access.IsFault(exception)
                => (503, "The warehouse failed", null),
            OperationCanceledException => (499, "Cancelled", null),
            _ => (500, "Internal error", null),
        };
        var detail = status switch
        {
            500 when exception is not RefreshFailedException => "an unexpected error; the server log has the details",
            503 => "the warehouse failed: " + exception.Message + "; retry later",
            _ when core is { } c => c.Detail,
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

    /// <summary>The status, title and detail of a failure the core reports: what the API answers and the report saves in place of a view.</summary>
    internal static (int Status, string Title, string Detail) Of(SegmentaException exception) => exception switch
    {
        SegmentErrorsException => (422, "The segment does not compile", exception.Message + "; POST its text to /api/segments/check to see them"),
        _ => (StatusOf(exception.Kind), TitleOf(exception.Kind), exception.Message),
    };

    /// <summary>The one HTTP status of each kind of failure the core reports.</summary>
    internal static int StatusOf(FailureKind kind) => kind switch
    {
        FailureKind.BadInput => 400,
        FailureKind.NotFound => 404,
        FailureKind.Conflict => 409,
        FailureKind.CannotFit => 422,
        FailureKind.WarehouseUnavailable => 503,
        _ => 500,
    };

    private static string TitleOf(FailureKind kind) => kind switch
    {
        FailureKind.BadInput => "Bad request",
        FailureKind.NotFound => "Not found",
        FailureKind.Conflict => "Conflicts with what is recorded",
        FailureKind.CannotFit => "The model cannot be fitted",
        FailureKind.WarehouseUnavailable => "The warehouse failed",
        _ => "A step failed",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} answered {Status}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path, int status);

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
