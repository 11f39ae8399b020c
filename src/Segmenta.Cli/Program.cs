using Segmenta.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("segmenta");
    config.Settings.StrictParsing = true;
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
    config.AddCommand<GenerateCommand>("generate").WithDescription("Write a realistic synthetic customer base (CSV and Parquet), deterministic for a seed.");
    config.AddCommand<StatusCommand>("status").WithDescription("Summarize what the workspace's warehouse holds.");
});

return app.Run(args);
