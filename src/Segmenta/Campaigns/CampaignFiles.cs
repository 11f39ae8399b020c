using Segmenta.Workspaces;

namespace Segmenta.Campaigns;

/// <summary>A campaign named that has no file in the workspace.</summary>
public sealed class UnknownCampaignException(string message) : SegmentaException(message, FailureKind.NotFound);

/// <summary>A campaign launched before: its audience is frozen, so it cannot be launched again.</summary>
public sealed class CampaignLaunchedException(string message) : SegmentaException(message, FailureKind.Conflict);

/// <summary>The workspace's campaign files: <c>campaigns/NAME.yaml</c>.</summary>
public static class CampaignFiles
{
    /// <summary>The folder of campaign files in a workspace.</summary>
    public const string Folder = "campaigns";

    /// <summary>
    /// Reads a campaign file by name (campaigns/NAME.yaml) or, as the CLI's user may give it, by path. Only the
    /// CLI takes paths: a name that comes over the network goes through <see cref="Load"/>.
    /// </summary>
    public static CampaignDefinition LoadNameOrPath(Workspace workspace, string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(nameOrPath);
        return nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) || nameOrPath.EndsWith(".yml", StringComparison.Ordinal) || nameOrPath.Contains('/', StringComparison.Ordinal)
            ? CampaignDefinition.Load(nameOrPath)
            : Load(workspace, nameOrPath);
    }

    /// <summary>
    /// Reads campaigns/NAME.yaml. A name is an identifier (<see cref="CampaignDefinition.IsValidName"/>), so no name can
    /// reach a file outside the folder (<c>segmenta.yaml</c>, <c>../x</c>): anything else is refused before a path is made.
    /// </summary>
    public static CampaignDefinition Load(Workspace workspace, string name) => NamedFiles.Load(
        workspace, Folder, "campaign", name, CampaignDefinition.Parse, c => c.Name,
        m => new CampaignException(m), m => new UnknownCampaignException(m), "; create one with `segmenta campaign new`");

    /// <summary>The workspace's campaign files, by name.</summary>
    public static IReadOnlyList<string> List(Workspace workspace) => NamedFiles.List(workspace, Folder);
}
