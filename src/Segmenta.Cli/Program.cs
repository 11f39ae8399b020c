using Segmenta.Cli;
using Segmenta.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

if (Console.IsOutputRedirected)
{
    // Piped or captured output has no terminal width; Spectre would assume 80 columns and wrap tables.
    AnsiConsole.Profile.Width = 200;
}

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("segmenta");
    config.Settings.StrictParsing = true;

    // Mistakes in the command line (an unknown verb or option, a missing or invalid argument) are bad input: exit 2,
    // shown as Spectre draws them, and with --json also one error document on stdout. Anything else is a bug: its trace.
    config.SetExceptionHandler((exception, _) =>
    {
        if (exception is not CommandAppException mistake)
        {
            AnsiConsole.WriteException(exception);
            return -1;
        }

        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (mistake.Pretty is { } pretty)
        {
            error.Write(pretty);
        }

        return CliOutput.Fail(args.Contains("--json"), Segmenta.FailureKind.BadInput, mistake.Message);
    });
    config.AddCommand<DemoCommand>("demo").WithDescription("Generate a customer base, ingest it and run every analysis, end to end, in ./demo.");
    config.AddCommand<InitCommand>("init").WithDescription("Create a workspace: segmenta.yaml, the warehouse, segments/, campaigns/, mappings/.");
    config.AddBranch("ingest", ingest =>
    {
        ingest.SetDescription("Load customers and events; set aside what cannot be loaded.");
        ingest.AddCommand<IngestCustomersCommand>("customers").WithDescription("Load customer profiles (CSV, Parquet, JSON lines).");
        ingest.AddCommand<IngestEventsCommand>("events").WithDescription("Load behavioral events (CSV, Parquet, JSON lines).");
        ingest.AddCommand<QuarantineCommand>("quarantine").WithDescription("List the rows set aside, with file, line and reason.");
        ingest.AddCommand<RunsCommand>("runs").WithDescription("List past ingest runs and their counts.");
    });
    config.AddBranch("segment", segment =>
    {
        segment.SetDescription("Segments as code: check, preview, list, show, materialize and export segments written in segments/*.seg.");
        segment.AddCommand<SegmentCheckCommand>("check").WithDescription("Compile every segment file; print each mistake with its line and a caret (exit 1 if any).");
        segment.AddCommand<SegmentPreviewCommand>("preview").WithDescription("Size, shares of customers and revenue, the count after each condition, and a sample of members.");
        segment.AddCommand<SegmentListCommand>("list").WithDescription("Every segment with its title and its last materialization.");
        segment.AddCommand<SegmentShowCommand>("show").WithDescription("A segment's definition, dependencies, compiled SQL (--sql) and stored history.");
        segment.AddCommand<SegmentMaterializeCommand>("materialize").WithDescription("Store memberships with the as-of instant and the definition's version.");
        segment.AddCommand<SegmentExportCommand>("export").WithDescription("Write a segment's members with chosen traits as CSV, JSON or Parquet.");
        segment.AddCommand<SegmentTraitsCommand>("traits").WithDescription("The computed traits (trait NAME = EXPRESSION) with their types, versions and the values the current snapshot stored.");
    });
    config.AddBranch("identity", identity =>
    {
        identity.SetDescription("Who is who: profiles resolved from user ids and anonymous ids (docs/identity.md).");
        identity.AddCommand<IdentityShowCommand>("show").WithDescription("A profile's identifiers, the links that made it (merged, refused, undone) and its history of changes.");
        identity.AddCommand<IdentityUndoCommand>("undo").WithDescription("Undo a wrong link between two identifiers; the profiles are resolved without it and events move back.");
    });
    config.AddBranch("destination", destination =>
    {
        destination.SetDescription("Activation: send segments to webhooks, ad platforms (Google Customer Match, Meta Custom Audiences) and file drops as customers enter and leave them (docs/activation.md).");
        destination.AddCommand<DestinationListCommand>("list").WithDescription("Every destination of destinations/*.yaml with its segments' last syncs and its outbox.");
        destination.AddCommand<DestinationTestCommand>("test").WithDescription("Check a destination without sending customer data: segments, traits, consent, secret, and a signed test request or the folder (exit 1 if a check fails).");
        destination.AddCommand<DestinationSyncCommand>("sync").WithDescription("Send who entered and exited each segment since the last sync (--full: everyone), with consent checked; webhooks are delivered with retries (exit 1 if batches still wait or failed).");
        destination.AddCommand<DestinationLogCommand>("log").WithDescription("The sync log: when, which membership, how many entered and exited, the outcome; --batches lists the webhook outbox.");
        destination.AddCommand<DestinationReplayCommand>("replay").WithDescription("Send a webhook's dead letters (or --batch ID) again under their idempotency keys.");
    });
    config.AddCommand<ForgetCommand>("forget").WithDescription("Erase customers (GDPR/CCPA): every table, exported files under exports/, their ids suppressed for good; the request is logged without the personal data.");
    config.AddCommand<FeaturesCommand>("features").WithDescription("Compute every customer's features (recency, frequency, monetary, engagement, …) as of an instant; store and describe them.");
    config.AddBranch("rfm", rfm =>
    {
        rfm.SetDescription("RFM scores, the named RFM segments and the R×F grid; `rfm summary` for the lifetime-value models' input.");
        rfm.SetDefaultCommand<RfmCommand>();
        rfm.AddCommand<RfmSummaryCommand>("summary").WithDescription("Per-customer repeat purchases x, recency t_x and age T for a calibration period (and holdout purchases), as the BG/NBD papers define them.");
    });
    config.AddCommand<ClusterCommand>("cluster").WithDescription("k-means clusters on chosen features with automatic k (silhouette, Calinski–Harabasz, Davies–Bouldin, elbow); stores the model so each cluster is a segment.");
    config.AddBranch("clv", clv =>
    {
        clv.SetDescription("Customer lifetime value: MBG/NBD (default), BG/NBD or Pareto/NBD for purchases and P(alive), Gamma-Gamma for spend; fit diagnostics and a model comparison.");
        clv.AddCommand<ClvFitCommand>("fit").WithDescription("Fit the models to every customer's history, store the fit and every customer's predictions (clv.value, clv.p_alive in segments).");
        clv.AddCommand<ClvPredictCommand>("predict").WithDescription("Predict from the active fit with histories through the as-of: expected purchases, P(alive), spend, discounted value.");
        clv.AddCommand<ClvCompareCommand>("compare").WithDescription("Fit MBG/NBD, BG/NBD and Pareto/NBD to the same histories: ln L, holdout check, P(alive) spread, warnings, and which to use.");
        clv.AddCommand<ClvValidateCommand>("validate").WithDescription("Fit on a calibration period and compare with the holdout: purchases by frequency, weekly tracking, charts.");
    });
    config.AddBranch("uplift", uplift =>
    {
        uplift.SetDescription("Uplift models from randomized campaigns: whom a contact persuades, per customer, evaluated on held-out customers.");
        uplift.AddCommand<UpliftFitCommand>("fit").WithDescription("Fit a T-learner or transformed-outcome model (LightGBM) to a launched campaign, evaluate it (Qini, AUUC, uplift@k) and store every customer's scores (uplift.CAMPAIGN.* in segments).");
        uplift.AddCommand<UpliftShowCommand>("show").WithDescription("The stored uplift models with their held-out evaluation and quadrants.");
    });
    config.AddCommand<ReadoutCommand>("readout").WithDescription("A campaign's result you may check every day: CUPED-adjusted lifts with always-valid intervals per segment and arm, and whether it is safe to act yet.");
    config.AddCommand<InsightsCommand>("insights").WithDescription("Findings nobody asked for in the current snapshot: growing and shrinking segments, channel responders, falling engagement of high-value segments, untapped clusters — with evidence, effect size and a false-discovery-controlled q-value.");
    config.AddCommand<AllocateCommand>("allocate").WithDescription("Choose whom to contact for a budget from an uplift model: expected incremental profit and ROI against spend (calibrated on held-out customers), and a campaign file ready to launch.");
    config.AddBranch("campaign", campaign =>
    {
        campaign.SetDescription("Campaigns tailored per segment with randomized holdouts: write, plan, launch and show them (campaigns/*.yaml).");
        campaign.AddCommand<CampaignNewCommand>("new").WithDescription("Write campaigns/NAME.yaml: target segments in priority order, holdout, broadcast arm, costs, outcome window.");
        campaign.AddCommand<CampaignListCommand>("list").WithDescription("The campaign files and the launched campaigns.");
        campaign.AddCommand<CampaignShowCommand>("show").WithDescription("A campaign's arms and, once launched, its frozen audience per segment and arm.");
        campaign.AddCommand<CampaignPlanCommand>("plan").WithDescription("Before launch: arm sizes per segment and the smallest conversion lift each can detect (power analysis).");
        campaign.AddCommand<CampaignLaunchCommand>("launch").WithDescription("Freeze the audience, assign every customer to an arm by hash of id and salt, store it, write one audience file per variant.");
    });
    config.AddCommand<RefreshCommand>("refresh").WithDescription("Bring features, RFM, cluster scores, CLV predictions and every segment up to an as-of instant and record a snapshot with drift alerts; --from/--to/--every backfills past instants.");
    config.AddCommand<HistoryCommand>("history").WithDescription("A segment's size at every materialization, with how many entered and exited.");
    config.AddCommand<MembersCommand>("members").WithDescription("Who was in a segment at a past instant (--at), exactly as recorded then.");
    config.AddCommand<MigrationCommand>("migration").WithDescription("Who moved between segments (rfm, clusters, or a list) from one instant to another: matrix of counts and shares, and the largest flows.");
    config.AddCommand<MeasureCommand>("measure").WithDescription("What a launched campaign caused: per segment and arm against the holdout and the broadcast arm, with intervals, adjusted p-values, ROI and CLV uplift.");
    config.AddCommand<PersonaCommand>("persona").WithDescription("Describe segments as personas: size and value, what sets them apart (index, lift with significance), channels, RFM mix, a generated name and a strategy.");
    config.AddCommand<GenerateCommand>("generate").WithDescription("Write a realistic synthetic customer base (CSV and Parquet), deterministic for a seed.");
    config.AddCommand<ServeCommand>("serve").WithDescription("Serve the web dashboard, the REST API, the Segment-compatible collection endpoints (/v1/batch …) and scheduled refreshes on the workspace until stopped.");
    config.AddCommand<ReportCommand>("report").WithDescription("Write the dashboard's views (overview, segments and personas, RFM, clusters, CLV, campaigns, migration) as one self-contained HTML file.");
    config.AddBranch("keys", keys =>
    {
        keys.SetDescription("API keys for `segmenta serve`: scopes ingest, read, admin; stored hashed in api-keys.json.");
        keys.AddCommand<KeysCreateCommand>("create").WithDescription("Create a key; its token is printed once.");
        keys.AddCommand<KeysListCommand>("list").WithDescription("Every key with its scopes and state.");
        keys.AddCommand<KeysRevokeCommand>("revoke").WithDescription("Revoke a key by id or name; it stops working at once.");
    });
    config.AddCommand<StatusCommand>("status").WithDescription("Summarize what the workspace's warehouse holds.");
});

return app.Run(args);
