using Segmenta.Configuration;
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
    public static CampaignDefinition Load(Workspace workspace, string name)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(name);
        if (!CampaignDefinition.IsValidName(name))
        {
            throw new CampaignException($"`{Shown(name)}` is not a campaign name: lower snake case, starting with a letter, at most 63 characters");
        }

        foreach (var extension in new[] { ".yaml", ".yml" })
        {
            var path = Path.Combine(workspace.Root, Folder, name + extension);
            if (File.Exists(path))
            {
                var definition = CampaignDefinition.Parse(Path.GetRelativePath(workspace.Root, path), File.ReadAllText(path));
                return definition.Name == name
                    ? definition
                    : throw new CampaignException($"{Folder}/{name}{extension} names its campaign `{definition.Name}`; use that name as the file name");
            }
        }

        var known = List(workspace).Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        throw new UnknownCampaignException($"no campaign `{name}`: {Folder}/{name}.yaml does not exist{Suggestions.DidYouMean(name, known)}"
            + (known.Count == 0 ? "; create one with `segmenta campaign new`" : ""));
    }

    /// <summary>A name as shown in a message: at most 64 characters, control characters escaped.</summary>
    private static string Shown(string name)
    {
        var shown = string.Concat(name.Take(64).Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
        return name.Length > 64 ? shown + "…" : shown;
    }

    /// <summary>The workspace's campaign files, by name.</summary>
    public static IReadOnlyList<string> List(Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var folder = Path.Combine(workspace.Root, Folder);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];
    }
}
