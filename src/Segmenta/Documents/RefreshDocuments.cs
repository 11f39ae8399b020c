using System.Text.Json;
using Segmenta.Refresh;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>One refresh run: the instant it brought things up to, when it ran, and how it ended (<c>ok</c>, or <c>failed</c> at a step).</summary>
public sealed record RefreshRunDocument(long RunId, string AsOf, string StartedAt, string FinishedAt, string Status, string? FailedStep, string? Error);

/// <summary>Where a server's refresh schedule stands: its interval, the next run, a run in progress, the last error.</summary>
public sealed record RefreshScheduleDocument(string? Every, string? NextAt, string? RunningSince, string? RunningAsOf, string? LastError);

/// <summary>The schedule, the last runs and the current snapshot's report (<c>GET /api/refresh</c>).</summary>
/// <remarks><c>current_report</c> is the snapshot's report as the refresh recorded it (the shape of <c>segmenta refresh --json</c>'s snapshots).</remarks>
public sealed record RefreshStatusDocument(RefreshScheduleDocument Schedule, RefreshRunDocument? LastRun, string? CurrentSnapshot, JsonElement? CurrentReport, IReadOnlyList<RefreshRunDocument> Runs);

/// <summary>A batch of collected messages acknowledged after its commit (the Segment Tracking API's answer).</summary>
public sealed record CollectedDocument(bool Success, int Received);

/// <summary>Refresh runs and status as documents.</summary>
public static class RefreshDocuments
{
    public static RefreshRunDocument Run(RefreshRun r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.RunId, Iso(r.AsOf), Iso(r.StartedAt), Iso(r.FinishedAt), r.Status, r.FailedStep, r.Error);
    }

    /// <summary>The last runs (newest first), the current snapshot and its recorded report beside a schedule.</summary>
    public static RefreshStatusDocument Status(RefreshScheduleDocument schedule, IReadOnlyList<RefreshRun> runs, RefreshRun? current, string? report)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return new(
            schedule,
            runs.Count == 0 ? null : Run(runs[0]),
            current is null ? null : Iso(current.AsOf),
            report is null ? null : JsonDocument.Parse(report).RootElement.Clone(),
            [.. runs.Select(Run)]);
    }
}

/// <summary>The server is up, serving the named workspace (<c>GET /health</c>, no key needed).</summary>
public sealed record HealthDocument(string Status, string Workspace);

/// <summary>A refresh that failed at a step (<c>refresh --json</c>, exit 4): what stays current and the snapshots completed before it.</summary>
public sealed record RefreshFailedDocument(string Status, string AsOf, string FailedStep, string Error, string? CurrentSnapshot, IReadOnlyList<RefreshReport> Completed);

/// <summary>A backfill (<c>refresh --from --to --every --json</c>): each snapshot recorded, and the instants that already were.</summary>
public sealed record BackfillDocument(string Status, IReadOnlyList<RefreshReport> Snapshots, IReadOnlyList<string> AlreadyRecorded);

/// <summary>A report written (<c>report --json</c>): where, as of when, its size, the documents in it and those the core could not give.</summary>
public sealed record ReportDocument(string Path, string AsOf, long Bytes, int Documents, IReadOnlyList<string> Missing);
