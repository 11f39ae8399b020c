using Segmenta.Configuration;
using Segmenta.Workspaces;

namespace Segmenta.Campaigns;

/// <summary>A campaign named that has no file in the workspace.</summary>
public sealed class UnknownCampaignException(string message) : Exception(message);

/// <summary>A campaign launched before: its audience is frozen, so it cannot be launched again.</summary>
public sealed class CampaignLaunchedException(string message) : Exception(message);

/// <summary>The workspace's campaign files: <c>campaigns/NAME.yaml</c>.</summary>
public static class CampaignFiles
{
    /// <summary>The folder of campaign files in a workspace.</summary>
    public const string Folder = "campaigns";

    /// <summary>Reads a campaign file by name (campaigns/NAME.yaml) or path.</summary>
    public static CampaignDefinition Load(Workspace workspace, string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) || nameOrPath.EndsWith(".yml", StringComparison.Ordinal) || nameOrPath.Contains('/', StringComparison.Ordinal))
        {
            return CampaignDefinition.Load(nameOrPath);
        }

        foreach (var extension in new[] { ".yaml", ".yml" })
        {
            var path = Path.Combine(workspace.Root, Folder, nameOrPath + extension);
            if (File.Exists(path))
            {
                var definition = CampaignDefinition.Parse(Path.GetRelativePath(workspace.Root, path), File.ReadAllText(path));
                return definition.Name == nameOrPath
                    ? definition
                    : throw new CampaignException($"{Folder}/{nameOrPath}{extension} names its campaign `{definition.Name}`; use that name as the file name");
            }
        }

        var known = List(workspace).Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        throw new UnknownCampaignException($"no campaign `{nameOrPath}`: {Folder}/{nameOrPath}.yaml does not exist{Suggestions.DidYouMean(nameOrPath, known)}"
            + (known.Count == 0 ? "; create one with `segmenta campaign new`" : ""));
    }

    /// <summary>A campaign launched before: its audience is frozen, so it cannot be launched again.</summary>
public sealed class CampaignLaunchedException(string message) : Exception(message);

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
