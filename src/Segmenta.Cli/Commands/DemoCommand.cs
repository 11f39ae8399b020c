using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Segmenta.Activation;
using Segmenta.Campaigns;
using Segmenta.Cli.Charts;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.DuckDb;
using Segmenta.Features;
using Segmenta.Generation;
using Segmenta.Ingestion;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Personas;
using Segmenta.Refresh;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Workspaces;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class DemoSettings : CommandSettings, IJsonSettings
{
    [CommandOption("-o|--out <DIR>")]
    [Description("Where to create the demo workspace (default ./demo). An earlier demo there is replaced.")]
    public string Out { get; init; } = "demo";

    [CommandOption("--customers <N>")]
    [Description("Customers to generate (default 50000).")]
    public int Customers { get; init; } = 50_000;

    [CommandOption("--events <N>")]
    [Description("Events to generate (default 1000000).")]
    public long Events { get; init; } = 1_000_000;

    [CommandOption("--seed <S>")]
    [Description("Random seed (default 42).")]
    public int Seed { get; init; } = 42;

    [CommandOption("--json")]
    [Description("Print the summary as JSON.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>segmenta demo</c>: the main job end to end on the embedded warehouse — a fresh workspace, a
/// generated customer base (with a few malformed rows), ingestion with quarantine, and every
/// analysis the project has, ending with what it found and where the outputs are.
/// </summary>
internal sealed partial class DemoCommand : GuardedCommand<DemoSettings>
{
    private static readonly DateTime AsOf = GeneratorOptions.DefaultAsOf;

    /// <summary>Weeks of snapshots the demo backfills before its as-of.</summary>
    private const int BackfillWeeks = 12;

    /// <summary>What the demo clusters on: value, engagement and demographics, with the buying channel (docs/clustering.md).</summary>
    private static readonly ClusterRequest DemoClusters = new(
        [new("recency_days"), new("frequency"), new("monetary"), new("avg_order_value"), new("email_open_rate"), new("sessions"), new("age"), new("income")],
        [new("preferred_channel")],
        MinK: 3,
        MaxK: 7,
        AutoLog: true);

    /// <summary>The campaign's truth: what each segment would buy anyway, and what each arm adds (samples/campaigns/new_year.yaml).</summary>
    private static readonly TrueEffect[] CampaignTruth =
    [
        new("high_value", BaseRate: 0.12, VariantLift: 0.08, BroadcastLift: 0.02, OrderValue: 120),
        new("holiday_gifters", BaseRate: 0.05, VariantLift: 0.07, BroadcastLift: 0.02, OrderValue: 60),
        new("young_app_shoppers", BaseRate: 0.05, VariantLift: 0.06, BroadcastLift: 0.01, OrderValue: 45),
        new("one_and_done", BaseRate: 0.015, VariantLift: 0.02, BroadcastLift: 0.02, OrderValue: 50),
    ];

    protected override int Run(DemoSettings settings, CancellationToken cancellation)
    {
        var root = Path.GetFullPath(settings.Out);
        PrepareFolder(root);
        var say = settings.Json ? (Action<string>)(_ => { }) : Console.WriteLine;
        var clock = Stopwatch.StartNew();
        var steps = new List<DemoStepDocument>();

        var workspace = Workspace.Init(root, new WorkspaceSettings { Name = "demo", AsOf = new DateTimeOffset(AsOf) });
        say($"1. Workspace      {root} (as of {AsOf:yyyy-MM-dd}, DuckDB)");

        var step = Stopwatch.StartNew();
        var data = Path.Combine(root, "data");
        var (generated, _) = GenerateCommand.Generate(
            new GeneratorOptions(settings.Customers, settings.Events, settings.Seed, AsOf, ErrorRate: 0.0002), data, "csv", CliOutput.Interactive(settings.Json));
        steps.Add(new DemoStepDocument("generate") { Customers = generated.Customers, Events = generated.Events, MalformedRows = generated.MalformedRows, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"2. Generated      {generated.Customers:N0} customers, {generated.Events:N0} events ({generated.MalformedRows} rows malformed on purpose) in {Seconds(step)} s"));

        using var warehouse = DuckDbWarehouse.Open(workspace.WarehousePath);
        var ingestor = new Ingestor(warehouse, workspace.Settings, TimeProvider.System, Parquet);
        var ingests = new List<DemoIngestDocument>();
        // Consent comes as events too (docs/identity.md): the app's push opt-ins and opt-outs, beside the e-mail opt-in trait.
        foreach (var (table, file, what) in new[] { (TableKind.Customers, generated.CustomersFile, "customers"), (TableKind.Events, generated.EventsFile, "events"), (TableKind.Events, generated.ConsentsFile, "consents") })
        {
            step.Restart();
            var s = ingestor.Run(new IngestRequest(table, file), null, cancellation);
            ingests.Add(new DemoIngestDocument(what, s.Read, s.Loaded, s.Quarantined, s.Duplicates, Seconds(step)));
            say(string.Create(CultureInfo.InvariantCulture, $"3. Ingested       {what,-9} read {s.Read:N0}, loaded {s.Loaded:N0}, quarantined {s.Quarantined:N0}, duplicates {s.Duplicates:N0} in {Seconds(step)} s"));
        }

        step.Restart();
        var again = ingestor.Run(new IngestRequest(TableKind.Events, generated.EventsFile), null, cancellation);
        say(string.Create(CultureInfo.InvariantCulture, $"4. Re-ingested    events again: loaded {again.Loaded:N0}, duplicates {again.Duplicates:N0} (nothing loads twice) in {Seconds(step)} s"));

        step.Restart();
        var context = new EvaluationContext(AsOf, workspace.Settings.Zone);
        var features = FeatureSnapshots.Materialize(warehouse, context, AsOf, cancellation);
        var rfm = RfmAnalysis.Compute(warehouse, context, workspace.Settings.Rfm);
        steps.Add(new DemoStepDocument("features") { Customers = features.Rows, Scored = rfm.Scored, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"5. Analyzed       features of {features.Rows:N0} customers and RFM scores of the {rfm.Scored:N0} with an order in {Seconds(step)} s"));

        step.Restart();
        var clusters = ClusterAnalysis.Fit(warehouse, context, DemoClusters);
        var model = ClusterAnalysis.Store(warehouse, clusters.Model, AsOf);
        steps.Add(new DemoStepDocument("cluster") { K = model.K, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"6. Clustered      {clusters.Clustered:N0} customers with k-means on {DemoClusters.Numeric.Count + DemoClusters.Categorical.Count} inputs; {clusters.Choice.Reason} ({Seconds(step)} s)"));

        step.Restart();
        var historyEnd = ClvAnalysis.LastCompleteDay(context);
        var days = PurchaseDays.Read(warehouse, workspace.Settings.Zone, historyEnd);
        var histories = days.Calibration(Features.SummaryUnit.Weeks);
        var fitted = ClvAnalysis.FitAndDiagnose(days, histories, ClvFitter.DefaultModel, Features.SummaryUnit.Weeks, historyEnd);
        var values = ClvAnalysis.Predict(fitted, histories, historyEnd, new ClvValueOptions());
        var clv = ClvAnalysis.Store(warehouse, fitted, AsOf, values, cancellation);
        values = values with { Model = clv };
        steps.Add(new DemoStepDocument("clv") { Customers = values.Customers.Count, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"7. Valued         {values.Customers.Count:N0} customers with {ClvFitter.DisplayName(fitted.Model)} + Gamma-Gamma: {values.TotalValue:N0} {workspace.Settings.Currency} expected over 12 months ({Seconds(step)} s)"));

        step.Restart();
        var segmentsFile = Path.Combine(root, Workspace.SegmentsFolder, "demo.seg");
        using (var resource = typeof(DemoCommand).Assembly.GetManifestResourceStream("demo.seg")!)
        using (var file = File.Create(segmentsFile))
        {
            resource.CopyTo(file);
        }

        var library = SegmentSupport.Load(workspace, warehouse);
        if (!library.Compilation.Success)
        {
            SegmentSupport.PrintDiagnostics(library, library.Compilation.Diagnostics, Console.Error);
            throw new InvalidOperationException("the demo's example segments do not compile");
        }

        // The demo's destination: the lapsed VIPs who consented to e-mail, dropped as CSV files (docs/activation.md).
        var destinationFile = Path.Combine(root, DestinationDefinition.Folder, "weekly_drop.yaml");
        using (var resource = typeof(DemoCommand).Assembly.GetManifestResourceStream("weekly_drop.yaml")!)
        using (var file = File.Create(destinationFile))
        {
            resource.CopyTo(file);
        }

        var destination = DestinationFiles.Load(workspace, "weekly_drop");
        var destinationContext = new DestinationContext(root, workspace.Settings.Zone, TimeProvider.System, Parquet);

        // A quarter of weekly snapshots up to the as-of: history, migration and drift from the first day; after each, the
        // destination is synced, so its files say who entered and left the segment week by week.
        var backfill = RefreshSchedule.Plan(warehouse, AsOf.AddDays(-7 * BackfillWeeks), AsOf, new RefreshInterval(1, "week"));
        var syncs = new List<SegmentSync>();
        var snapshots = backfill.Run.Select(t =>
        {
            var snapshot = RefreshPipeline.Run(workspace, warehouse, new EvaluationContext(t, workspace.Settings.Zone), TimeProvider.System, null, cancellation);
            syncs.AddRange(DestinationSync.Sync(warehouse, library, destination, destinationContext, full: false, cancellation));
            return snapshot;
        }).ToList();
        var stored = snapshots[^1].Segments;
        var previews = library.Compilation.Segments
            .Where(seg => !library.IsGenerated(seg.File))
            .Select(seg => SegmentPreview.Compute(warehouse, seg, context, [], 0))
            .ToList();
        var exportFile = Path.Combine(root, "exports", "lapsed_vips.csv");
        var (exported, exportConsent) = AudienceExport.Write(
            warehouse, library.Compilation, library.Compilation.Find("lapsed_vips")!, context, Model.Traits.Resolve(warehouse, "email,first_name,last_name,country", []), AudienceFormat.Csv, exportFile, ConsentRequest.For("email"));
        var migration = SegmentMigration.Compute(warehouse, MigrationCommand.Generated(library, RfmAnalysis.SegmentPrefix), snapshots[0].AsOf, AsOf);
        steps.Add(new DemoStepDocument("segments") { Segments = stored.Count, Snapshots = snapshots.Count, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"8. Segmented      {previews.Count} example segments from segments/demo.seg and {stored.Count - previews.Count} RFM and cluster segments, refreshed weekly over {BackfillWeeks} weeks ({snapshots.Count} snapshots, {snapshots.Sum(r => r.Alerts.Count)} drift alerts); the examples previewed, lapsed_vips exported and synced to destinations/weekly_drop.yaml after each snapshot ({syncs.Sum(x => x.Entered):N0} entered, {syncs.Sum(x => x.Exited):N0} exited over {syncs.Count} syncs) in {Seconds(step)} s"));

        step.Restart();
        var personas = new WorkspaceViews(workspace, warehouse).DescribePersonas(context, [.. Enumerable.Range(1, model.K).Select(j => library.Compilation.Find(ClusterAnalysis.SegmentName(j))!)]);
        steps.Add(new DemoStepDocument("personas") { Personas = personas.Count, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"9. Described      the {personas.Count} clusters as personas in {Seconds(step)} s"));

        step.Restart();
        var campaignFile = Path.Combine(root, CampaignFiles.Folder, "new_year.yaml");
        using (var resource = typeof(DemoCommand).Assembly.GetManifestResourceStream("new_year.yaml")!)
        using (var file = File.Create(campaignFile))
        {
            resource.CopyTo(file);
        }

        var campaign = CampaignDefinition.Load(campaignFile);
        var launched = CampaignLauncher.Launch(warehouse, library, campaign, context, AsOf, out var assignment, cancellation);
        var audiences = CampaignLauncher.Export(
            warehouse, launched, context.Zone, Model.Traits.Resolve(warehouse, string.Join(',', campaign.ExportTraits), [], library.Schema), campaign.ExportFormat, Path.Combine(root, "exports", CampaignFiles.Folder, campaign.Name));
        var outcomesFile = Path.Combine(data, "campaign_outcomes.csv");
        CampaignSimulator.Write(campaign, assignment, CampaignTruth, launched.SendAt, settings.Seed, outcomesFile);
        var outcomes = ingestor.Run(new IngestRequest(TableKind.Events, outcomesFile), null, cancellation);
        var measured = CampaignMeasurement.Measure(warehouse, launched, workspace.Settings.Zone, new MeasureOptions(), cancellation);
        var charts = CampaignCharts.Write(measured, Path.Combine(root, "charts"));
        steps.Add(new DemoStepDocument("campaign") { Customers = launched.Customers, OutcomeEvents = outcomes.Loaded, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"10. Campaign      launched {campaign.Name} to {launched.Customers:N0} customers in {campaign.Targets.Count} segments (20% holdout, 30% broadcast; {assignment.Consent.TotalLeftOut:N0} left out without consent to e-mail or push), simulated 14 days of outcomes ({outcomes.Loaded:N0} events) and measured them in {Seconds(step)} s"));

        step.Restart();
        var reportFile = Path.Combine(root, "report.html");
        var report = ReportCommand.Write(workspace, warehouse, AsOf, reportFile, cancellation);
        steps.Add(new DemoStepDocument("report") { Path = reportFile, Documents = report.Documents, Seconds = Seconds(step) });
        say(string.Create(CultureInfo.InvariantCulture, $"11. Reported      the dashboard's views as one self-contained page, {reportFile} ({new FileInfo(reportFile).Length / 1024:N0} KiB, no server needed) in {Seconds(step)} s"));

        var summary = warehouse.Summarize();
        var reasons = warehouse.ReadQuarantine(null, 1000)
            .GroupBy(q => ReasonKind(q.Reason))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new QuarantineReasonDocument(g.Key, g.Count()))
            .ToList();

        if (settings.Json)
        {
            CliOutput.WriteJson(new DemoDocument(
                root,
                AsOf.ToString("O", CultureInfo.InvariantCulture),
                steps,
                ingests,
                WorkspaceDocuments.Ingest(again),
                SegmentDocuments.Status(root, warehouse, summary),
                reasons,
                AnalysisDocuments.Rfm(rfm, stored: false, null, 0),
                AnalysisDocuments.Cluster(clusters, model.Version, null),
                new DemoClvDocument(AnalysisDocuments.Model(clv, stored: true), AnalysisDocuments.Predictions(values)),
                [.. personas.Select(AnalysisDocuments.Persona)],
                [.. previews.Select(p => new DemoSegmentDocument(p.Name, p.Title, p.Size, Math.Round(p.ShareOfCustomers, 6), Math.Round(p.ShareOfRevenue, 6)))],
                new DemoExportDocument("lapsed_vips", exportFile, exported),
                new DemoDestinationDocument(destination.Name, [.. DestinationLog.Syncs(warehouse, destination.Name, syncs.Count).Reverse().Select(SyncDocument.Of)]),
                new DemoRefreshDocument(
                    [.. snapshots.Select(r => new DemoSnapshotDocument(SegmentSupport.Iso(r.AsOf), r.RunId, r.Segments.Sum(c => c.Entered), r.Segments.Sum(c => c.Exited), r.Alerts))],
                    SegmentDocuments.Migration(migration, migration.TopFlows(10))),
                new DemoCampaignDocument(
                    [.. CampaignTruth.Select(t => new TrueEffectDocument(t.Segment, t.BaseRate, t.VariantLift, t.BroadcastLift, t.OrderValue))],
                    [.. audiences.Select(a => new AudienceFileDocument(a.Arm, a.Path, a.Customers))],
                    CampaignDocuments.Measurement(measured, charts)),
                new DemoReportDocument(reportFile, report.Documents, report.Missing),
                Seconds(clock)));
            return ExitCodes.Ok;
        }

        Console.WriteLine();
        Console.WriteLine("What the warehouse holds:");
        StatusCommand.Print(root, warehouse, summary, workspace.Settings.Currency);
        Console.WriteLine();
        Console.WriteLine("Set aside in quarantine, by reason:");
        foreach (var r in reasons)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Rows,6}  {r.Reason}"));
        }

        Console.WriteLine();
        RfmCommand.Print(rfm, workspace.Settings.Currency, null);
        Console.WriteLine();
        Console.WriteLine($"Segments as of {AsOf:yyyy-MM-dd} (segments/demo.seg):");
        foreach (var p in previews)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Name,-20} {p.Size,8:N0} customers {SegmentSupport.Percent(p.ShareOfCustomers),6}  {SegmentSupport.Percent(p.ShareOfRevenue),6} of net revenue   {p.Title}"));
        }

        Console.WriteLine();
        Console.WriteLine($"How customers moved between the RFM segments over {BackfillWeeks} weeks of snapshots (segmenta migration rfm; segmenta history NAME):");
        MigrationCommand.Print(migration, migration.TopFlows(5));
        var alerts = snapshots.SelectMany(r => r.Alerts.Select(a => (r.AsOf, a.Message))).ToList();
        Console.WriteLine(alerts.Count == 0 ? "No drift alerts over the snapshots." : $"Drift alerts over the snapshots (segmenta refresh reports them; thresholds in segmenta.yaml):");
        foreach (var (at, message) in alerts.Take(8))
        {
            Console.WriteLine($"  {at:yyyy-MM-dd}  {message}");
        }

        if (alerts.Count > 8)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {alerts.Count - 8} more"));
        }
        Console.WriteLine();
        ClusterCommand.Print(clusters, model.Version, null);
        Console.WriteLine();
        Console.WriteLine("Customer lifetime value (segmenta clv fit; clv.value and clv.p_alive in segments):");
        ClvSupport.PrintModel(clv, stored: true);
        ClvSupport.PrintPredictions(AnalysisDocuments.Predictions(values), workspace.Settings.Currency);
        Console.WriteLine();
        Console.WriteLine("The clusters as personas (segmenta persona --all describes every segment):");
        foreach (var persona in personas)
        {
            PersonaCommand.Print(PersonaCard.Of(persona, workspace.Settings.Currency));
        }

        Console.WriteLine();
        PrintCampaign(measured);

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {Seconds(clock)} s. Outputs:"));
        Console.WriteLine($"  warehouse   {workspace.WarehousePath}");
        Console.WriteLine($"  data        {data}/ (customers.csv, events.csv, consents.csv, personas.csv)");
        Console.WriteLine($"  segments    {segmentsFile}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  export      {exportFile} ({exported:N0} lapsed VIPs who consented to e-mail; {exportConsent.TotalLeftOut:N0} without consent left out)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  destination {destinationFile}: {syncs.Count} weekly syncs of lapsed_vips to {Path.Combine(root, destination.Drop!.Folder)} (segmenta destination log weekly_drop)"));
        Console.WriteLine($"  campaign    {campaignFile}, audiences in {Path.GetDirectoryName(audiences[0].Path)}, charts in {Path.Combine(root, "charts")}");
        Console.WriteLine($"  report      {reportFile} (open in a browser; `segmenta serve` shows the same views live)");
        Console.WriteLine($"Explore:      cd {Path.GetRelativePath(Directory.GetCurrentDirectory(), root)} && ../segmenta segment preview lapsed_vips   (or: segment list, status, ingest quarantine)");
        return ExitCodes.Ok;
    }

    /// <summary>What the campaign caused per segment, next to the truth the generator used.</summary>
    private static void PrintCampaign(CampaignResult measured)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine("The new_year campaign (segmenta measure new_year): conversion lift per segment, 95% Newcombe intervals, Holm-adjusted p; truth = what the generator added");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("segment", "own variant vs holdout", "broadcast vs holdout", "own variant vs broadcast", "p adj.", "truth (own − broadcast)", "verdict");
        foreach (var truth in CampaignTruth)
        {
            var own = measured.Campaign.Definition.VariantOf(truth.Segment)!.Name;
            ArmComparison Find(string arm, string against) => measured.Comparisons.Single(c => c.Segment == truth.Segment && c.Arm == arm && c.Against == against);
            var vsHoldout = Find(own, CampaignDefinition.HoldoutArm).Conversion;
            var broadcast = Find(CampaignDefinition.BroadcastArm, CampaignDefinition.HoldoutArm).Conversion;
            var head = Find(own, CampaignDefinition.BroadcastArm).Conversion;
            var verdict = head.AdjustedP < 0.05 ? (head.Difference > 0 ? "segmented wins" : "broadcast wins") : "no clear difference";
            table.AddRow(
                truth.Segment,
                Lift(vsHoldout),
                Lift(broadcast),
                Lift(head),
                CampaignSupport.P(head.AdjustedP),
                string.Create(inv, $"{(truth.VariantLift - truth.BroadcastLift) * (1 - truth.BaseRate) * 100:+0.0;-0.0;0.0} points"),
                verdict);
        }

        AnsiConsole.Write(table);
        var t = measured.Totals;
        Console.WriteLine("  " + (t.Money is { } money ? CampaignSupport.Headline(t, money, measured.Options.Confidence) : "no holdout: nothing can be attributed"));

        static string Lift(ProportionLift p) => string.Create(CultureInfo.InvariantCulture, $"{p.Difference * 100:+0.0;-0.0} ({p.Interval.Low * 100:+0.0;-0.0}, {p.Interval.High * 100:+0.0;-0.0})");
    }

    /// <summary>The demo folder is the demo's own: replace an earlier demo, but never a folder holding anything else.</summary>
    private static void PrepareFolder(string root)
    {
        if (!Directory.Exists(root) || !Directory.EnumerateFileSystemEntries(root).Any())
        {
            return;
        }

        var settingsFile = Path.Combine(root, WorkspaceSettings.FileName);
        if (!File.Exists(settingsFile) || !File.ReadAllText(settingsFile).Contains("name: demo", StringComparison.Ordinal))
        {
            throw new WorkspaceException($"{root} exists and is not an earlier demo; choose another folder with --out");
        }

        Directory.Delete(root, recursive: true);
    }

    /// <summary>Groups reasons by their shape: values in back quotes are elided, column names kept.</summary>
    private static string ReasonKind(string reason) => QuotedValue().Replace(reason, "`…`");

    [System.Text.RegularExpressions.GeneratedRegex("(?<!column )`[^`]*`")]
    private static partial System.Text.RegularExpressions.Regex QuotedValue();

    private static double Seconds(Stopwatch watch) => Math.Round(watch.Elapsed.TotalSeconds, 1);
}
