using System.ComponentModel;
using System.Globalization;
using Segmenta.Segments;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class MembersSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<SEGMENT>")]
    [Description("The segment.")]
    public string Segment { get; init; } = "";

    [CommandOption("--at <INSTANT>")]
    [Description("The past instant: a date (its start in the workspace time zone) or an ISO 8601 time. Default: the latest materialization.")]
    public string? At { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Print at most N ids (0: all). Default 20, all with --json.")]
    public int? Limit { get; init; }
}

/// <summary><c>segmenta members NAME --at T</c>: who was in a segment at a past instant, exactly as its last materialization at or before T recorded.</summary>
internal sealed class MembersCommand : GuardedCommand<MembersSettings>
{
    protected override int Run(MembersSettings settings, CancellationToken cancellation)
    {
        if (settings.Limit is < 0)
        {
            throw new UserInputException("--limit must be 0 (all) or more");
        }

        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var at = settings.At is { } text ? SegmentSupport.Instant(workspace, "--at", text) : DateTime.MaxValue;
        var members = SegmentMaterializer.Members(warehouse, settings.Segment, at)
            ?? throw (SegmentMaterializer.History(warehouse, settings.Segment) is [.., var first]
                ? new UserInputException($"`{settings.Segment}` was first recorded at {SegmentSupport.Iso(first.AsOf)}, after {SegmentSupport.Iso(at)}; nothing is known about it that early")
                : SegmentSupport.NoHistory(warehouse, settings.Segment));
        var limit = settings.Limit ?? (settings.Json ? 0 : 20);
        var shown = limit == 0 ? members.CustomerIds : members.CustomerIds.Take(limit).ToList();
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.Members(members, settings.At is null ? null : at, 0, limit));
            return ExitCodes.Ok;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{members.Segment}{(settings.At is null ? "" : $" at {SegmentSupport.Iso(at)}")}: {members.CustomerIds.Count:N0} members, as materialized at {SegmentSupport.Iso(members.AnsweredBy)} (version {members.Version})"));
        foreach (var id in shown)
        {
            Console.WriteLine("  " + id);
        }

        if (shown.Count < members.CustomerIds.Count)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {members.CustomerIds.Count - shown.Count:N0} more (--limit 0 for all, --json for scripts)"));
        }

        return ExitCodes.Ok;
    }
}
