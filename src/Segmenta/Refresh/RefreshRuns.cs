using System.Data;
using System.Globalization;
using System.Text.Json;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Refresh;

/// <summary>One step of a refresh: what it did, how long it took, how many rows it produced.</summary>
/// <param name="Name">features, rfm, clusters, clv, traits, segments, drift or commit.</param>
/// <param name="Status">ok, skipped (nothing to do: no cluster or CLV model yet) or failed.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Rows">Rows it produced: customers with features, scored, clustered, valued; segment members in all.</param>
/// <param name="Detail">A line for people.</param>
public sealed record RefreshStep(string Name, string Status, double Seconds, long Rows, string Detail);

/// <summary>A segment at this snapshot next to its previous materialization.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="Version">Its definition's version now.</param>
/// <param name="Size">Members now.</param>
/// <param name="Entered">Members now who were not before.</param>
/// <param name="Exited">Members before who are not now.</param>
/// <param name="PreviousAsOf">Its previous materialization, if any.</param>
/// <param name="PreviousSize">Members then.</param>
/// <param name="NewVersion">True when the definition changed since then (the movement is partly the new rule's).</param>
public sealed record SegmentChange(string Segment, string Version, long Size, long Entered, long Exited, DateTime? PreviousAsOf, long? PreviousSize, bool NewVersion)
{
    /// <summary>The size's relative change since the previous materialization (null without one, or from empty).</summary>
    public double? Change => PreviousSize is { } p && p > 0 ? (double)(Size - p) / p : null;
}

/// <summary>Where a cluster's members sit now compared with the model's centroid.</summary>
/// <param name="Cluster">The cluster (1..k).</param>
/// <param name="Members">Customers assigned to it now.</param>
/// <param name="Shift">The distance from the centroid to the members' mean, in the model's RMS radii.</param>
/// <param name="MovedSincePrevious">How far the members' mean moved since the previous snapshot, in the same unit (null without one).</param>
public sealed record ClusterDrift(int Cluster, long Members, double Shift, double? MovedSincePrevious);

/// <summary>A drift beyond its threshold.</summary>
/// <param name="Kind">size, feature or centroid.</param>
/// <param name="Subject">The segment, feature or cluster segment.</param>
/// <param name="Value">The measured change (relative size change, PSI, shift).</param>
/// <param name="Threshold">The threshold it crossed.</param>
/// <param name="Message">What happened, for people.</param>
public sealed record DriftAlert(string Kind, string Subject, double Value, double Threshold, string Message);

/// <summary>What one refresh did and found.</summary>
/// <param name="RunId">The run's number.</param>
/// <param name="AsOf">The snapshot's instant.</param>
/// <param name="StartedAt">When the refresh started.</param>
/// <param name="PreviousAsOf">The snapshot drift is measured against (the latest before this one), if any.</param>
/// <param name="Steps">Every step in order.</param>
/// <param name="Segments">Every segment, in dependency order.</param>
/// <param name="Features">Each feature's population stability index since the previous snapshot.</param>
/// <param name="Clusters">Each cluster's centroid drift (empty without a cluster model).</param>
/// <param name="Alerts">Drifts beyond their thresholds.</param>
public sealed record RefreshReport(
    long RunId,
    DateTime AsOf,
    DateTime StartedAt,
    DateTime? PreviousAsOf,
    IReadOnlyList<RefreshStep> Steps,
    IReadOnlyList<SegmentChange> Segments,
    IReadOnlyList<FeatureShift> Features,
    IReadOnlyList<ClusterDrift> Clusters,
    IReadOnlyList<DriftAlert> Alerts);

/// <summary>One recorded refresh.</summary>
/// <param name="RunId">Its number.</param>
/// <param name="AsOf">The instant it refreshed to.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it committed or failed.</param>
/// <param name="Status">ok or failed.</param>
/// <param name="FailedStep">The step that failed.</param>
/// <param name="Error">Why.</param>
public sealed record RefreshRun(long RunId, DateTime AsOf, DateTime StartedAt, DateTime FinishedAt, string Status, string? FailedStep, string? Error);

/// <summary>What a snapshot keeps for the next one to measure drift against.</summary>
/// <param name="Features">The features' binned distributions.</param>
/// <param name="ClusterModel">The cluster model scored, if any.</param>
/// <param name="ClusterMeans">Per cluster (1..k in order), its members' mean prepared coordinates.</param>
public sealed record SnapshotProfile(FeatureProfile Features, int? ClusterModel, IReadOnlyList<IReadOnlyList<double>> ClusterMeans);

/// <summary>
/// The log of refreshes (<see cref="Tables.RefreshRuns"/>): every run, committed or failed, with its report. The current
/// snapshot is the committed run with the latest as-of: a failed run never replaces it.
/// </summary>
public static class RefreshRuns
{

    /// <summary>The status of a committed run.</summary>
    public const string Ok = "ok";

    /// <summary>The status of a run that failed (nothing of its snapshot was kept).</summary>
    public const string Failed = "failed";

    /// <summary>Snake-case JSON, as stored and as the CLI prints it.</summary>
    public static JsonSerializerOptions Json { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs, newest first.</summary>
    public static IReadOnlyList<RefreshRun> List(ISqlReader reader, int limit = 100)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<RefreshRun>();
        reader.Read(RefreshSql.Runs(reader.Dialect, limit), r => result.Add(Run(r)));
        return result;
    }

    /// <summary>The current snapshot: the committed run with the latest as-of (then the latest run), or null before the first.</summary>
    public static RefreshRun? Current(ISqlReader reader) => Committed(reader, null);

    /// <summary>The committed run with the latest as-of strictly before <paramref name="before"/> (any, when null).</summary>
    public static RefreshRun? Committed(ISqlReader reader, DateTime? before)
    {
        ArgumentNullException.ThrowIfNull(reader);
        RefreshRun? run = null;
        reader.Read(RefreshSql.Committed(reader.Dialect, before), r => run = Run(r));
        return run;
    }

    /// <summary>The instants with a committed snapshot, oldest first.</summary>
    public static IReadOnlyList<DateTime> Snapshots(ISqlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<DateTime>();
        reader.Read(RefreshSql.Snapshots(reader.Dialect), r => result.Add(Utc(r, 0)));
        return result;
    }

    /// <summary>A run's stored report (JSON text as <see cref="Json"/> writes it).</summary>
    public static string? Report(ISqlReader reader, long runId) => Text(reader, "report", runId);

    /// <summary>A committed run's profile, or null.</summary>
    public static SnapshotProfile? Profile(ISqlReader reader, long runId) =>
        Text(reader, "profile", runId) is { } json ? JsonSerializer.Deserialize<SnapshotProfile>(json, Json) : null;

    /// <summary>The statement recording a run.</summary>
    internal static SqlStatement Insert(ISqlDialect dialect, RefreshRun run, string report, string? profile) => RefreshSql.InsertRun(dialect, run, report, profile);

    /// <summary>The next run's number.</summary>
    internal static long Next(ISqlReader reader)
    {
        long next = 1;
        reader.Read(RefreshSql.NextRun(reader.Dialect), r => next = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        return next;
    }

    private static string? Text(ISqlReader reader, string column, long runId)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? text = null;
        reader.Read(RefreshSql.RunText(reader.Dialect, column, runId), r => text = r.IsDBNull(0) ? null : r.GetString(0));
        return text;
    }

    private static RefreshRun Run(IDataRecord r) => new(
        r.GetInt64(0),
        Utc(r, 1),
        Utc(r, 2),
        Utc(r, 3),
        r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6));

    private static DateTime Utc(IDataRecord r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
}
