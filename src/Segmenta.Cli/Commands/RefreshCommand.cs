using System.ComponentModel;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.Refresh;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class RefreshSettings : SegmentEvaluationSettings
{
    [CommandOption("--from <DATE>")]
    [Description("Backfill: refresh at this instant, then every --every up to --to (a date or an ISO 8601 time).")]
    public string? From { get; init; }

    [CommandOption("--to <DATE>")]
    [Description("Backfill: the last instant (included).")]
    public string? To { get; init; }

    [CommandOption("--every <INTERVAL>")]
    [Description("Backfill: the step between instants: `1 week` (default), `7 days`, `1 month`.")]
    public string? Every { get; init; }
}

/// <summary>
/// <c>segmenta refresh</c>: features, RFM, cluster scoring, CLV predictions and every segment brought up to
/// one as-of instant and recorded as a snapshot, with drift alerts; or a backfill of several instants.
/// </summary>
internal sealed class RefreshCommand : GuardedCommand<RefreshSettings>
{
    protected override int Run(RefreshSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var backfill = settings.From is not null || settings.To is not null || settings.Every is not null;
        if (backfill && (settings.From is null || settings.To is null))
        {
            throw new UserInputException("a backfill needs both --from and --to (and optionally --every, default 1 week)");
        }

        if (backfill && settings.AsOf is not null)
        {
            throw new UserInputException("--as-of refreshes one instant; --from/--to/--every backfill several: give one or the other");
        }

        using var warehouse = OpenWarehouse(workspace);
        var instants = backfill ? Plan(workspace, warehouse, settings) : new RefreshPlan([SegmentSupport.Context(workspace, settings.AsOf).AsOf], []);
        var reports = new List<RefreshReport>();
        foreach (var instant in instants.Run)
        {
            RefreshReport report;
            try
            {
                report = RefreshPipeline.Run(workspace, warehouse, new Language.EvaluationContext(instant, workspace.Settings.Zone), TimeProvider.System, null, cancellation);
            }
            catch (RefreshFailedException e)
            {
                var current = e.Current is { } c ? SegmentSupport.Iso(c) : null;
                if (settings.Json)
                {
                    CliOutput.WriteJson(new RefreshFailedDocument(RefreshRuns.Failed, SegmentSupport.Iso(instant), e.Step, e.Reason, current, reports));
                }

                CliOutput.Error($"{e.Message}; {(current is null ? "no snapshot was recorded" : $"the snapshot of {current} stays current")}");
                return ExitCodes.RefreshFailed;
            }

            reports.Add(report);
            if (!settings.Json)
            {
                if (backfill)
                {
                    PrintLine(report);
                }
                else
                {
                    Print(report);
                }
            }
        }

        if (settings.Json)
        {
            if (backfill)
            {
                CliOutput.WriteJson(new BackfillDocument(RefreshRuns.Ok, reports, [.. instants.Recorded.Select(SegmentSupport.Iso)]));
            }
            else
            {
                CliOutput.WriteJson(reports[0]);
            }
        }
        else if (backfill)
        {
            var alerts = reports.Sum(r => r.Alerts.Count);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Backfilled {reports.Count} snapshot(s){(instants.Recorded.Count > 0 ? $", {instants.Recorded.Count} already recorded" : "")}, {alerts} drift alert(s). See `segmenta history NAME` and `segmenta migration rfm --from … --to …`."));
        }

        return ExitCodes.Ok;
    }

    private static RefreshPlan Plan(Workspace workspace, IWarehouse warehouse, RefreshSettings settings)
    {
        var every = new RefreshInterval(1, "week");
        if (settings.Every is { } text && RefreshInterval.TryParse(text, out every) is { } problem)
        {
            throw new UserInputException("--every: " + problem);
        }

        return RefreshSchedule.Plan(warehouse, SegmentSupport.Instant(workspace, "--from", settings.From!), SegmentSupport.Instant(workspace, "--to", settings.To!), every);
    }

    private static void PrintLine(RefreshReport r) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {SegmentSupport.Iso(r.AsOf)}  snapshot {r.RunId,4}  {r.Segments.Count} segments, {r.Segments.Sum(s => s.Entered),9:N0} entered, {r.Segments.Sum(s => s.Exited),9:N0} exited, {r.Alerts.Count} alert(s)  {r.Steps.Sum(s => s.Seconds),6:0.0} s"));

    internal static void Print(RefreshReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Refreshed to {SegmentSupport.Iso(r.AsOf)}: snapshot {r.RunId}{(r.PreviousAsOf is { } p ? $", drift measured against {SegmentSupport.Iso(p)}" : ", the first")}."));
        Console.WriteLine();
        Console.WriteLine($"  {"step",-10} {"status",-8} {"seconds",8} {"rows",12}  detail");
        foreach (var s in r.Steps)
        {
            Console.WriteLine(string.Create(inv, $"  {s.Name,-10} {s.Status,-8} {s.Seconds,8:0.000} {s.Rows,12:N0}  {s.Detail}"));
        }

        Console.WriteLine();
        Console.WriteLine($"  {"segment",-28} {"size",10} {"change",8} {"entered",9} {"exited",9}");
        foreach (var s in r.Segments)
        {
            var change = s.Change is { } c ? c.ToString("+0.0%;-0.0%;0.0%", inv) : s.PreviousSize is null ? "new" : "";
            Console.WriteLine(string.Create(inv, $"  {s.Segment,-28} {s.Size,10:N0} {change,8} {s.Entered,9:N0} {s.Exited,9:N0}{(s.NewVersion ? "   (definition changed)" : "")}"));
        }

        var moved = r.Features.Where(f => f.Psi >= PopulationStability.Moderate).ToList();
        if (r.Features.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(moved.Count == 0
                ? string.Create(inv, $"Features: all {r.Features.Count} stable (population stability index below {PopulationStability.Moderate}).")
                : "Features that moved (population stability index): " + string.Join(", ", moved.Select(f => string.Create(inv, $"{f.Feature} {f.Psi:0.###} ({f.Level})"))));
        }

        if (r.Clusters.Count > 0)
        {
            Console.WriteLine("Clusters, distance of the members' mean from the centroid (RMS radii): "
                + string.Join(", ", r.Clusters.Select(c => string.Create(inv, $"{c.Cluster}: {c.Shift:0.00}"))));
        }

        Console.WriteLine();
        if (r.Alerts.Count == 0)
        {
            Console.WriteLine("No drift alerts.");
            return;
        }

        Console.WriteLine($"Drift alerts ({r.Alerts.Count}):");
        foreach (var a in r.Alerts)
        {
            Console.WriteLine($"  {a.Kind,-9} {a.Message}");
        }
    }
}
