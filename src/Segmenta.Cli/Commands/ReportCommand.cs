using Segmenta.Documents;
using System.ComponentModel;
using System.Globalization;
using Segmenta.Server.Reporting;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class ReportSettings : SegmentEvaluationSettings
{
    [CommandOption("--out <FILE>")]
    [Description("Where to write the report (default: report.html in the workspace).")]
    public string? Out { get; init; }
}

/// <summary><c>segmenta report</c>: the dashboard's views as one self-contained HTML file, to open without a server or mail to a colleague.</summary>
internal sealed class ReportCommand : GuardedCommand<ReportSettings>
{
    protected override int Run(ReportSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        var path = Path.GetFullPath(settings.Out ?? Path.Combine(workspace.Root, "report.html"));
        using var warehouse = OpenWarehouse(workspace);
        var result = Write(workspace, warehouse, context.AsOf, path, cancellation);
        if (settings.Json)
        {
            CliOutput.WriteJson(new ReportDocument(path, DocumentValues.Iso(context.AsOf), new FileInfo(path).Length, result.Documents, result.Missing));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {path} ({new FileInfo(path).Length / 1024.0:N0} KiB, {result.Documents} views' data as of {context.AsOf:yyyy-MM-dd HH:mm:ss} UTC); open it in any browser, no server needed"));
            foreach (var missing in result.Missing)
            {
                Console.WriteLine($"  not available: {missing}");
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Builds the report over the caller's open warehouse and writes it atomically.</summary>
    internal static ReportResult Write(Workspaces.Workspace workspace, Warehouse.IWarehouse warehouse, DateTime asOf, string path, CancellationToken cancellation)
    {
        var result = HtmlReport.Build(workspace, warehouse, asOf, cancellation);
        Workspaces.AtomicFile.WriteAllText(path, result.Html);
        return result;
    }
}
