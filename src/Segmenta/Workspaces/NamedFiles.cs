using System.Text.RegularExpressions;

namespace Segmenta.Workspaces;

/// <summary>
/// The workspace's YAML files named after what they define (<c>campaigns/NAME.yaml</c>, <c>destinations/NAME.yaml</c>): a
/// name is lower snake case, so no name that comes over the network can reach a file outside its folder
/// (<c>segmenta.yaml</c>, <c>../x</c>); anything else is refused before a path is made.
/// </summary>
public static partial class NamedFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml"];

    /// <summary>Whether a name can name a file of a folder: lower snake case, starting with a letter, at most 63 characters.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>The path of <c>FOLDER/NAME.yaml</c> (or <c>.yml</c>), or null when neither exists; an invalid name is null too.</summary>
    public static string? Find(Workspace workspace, string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!IsValidName(name))
        {
            return null;
        }

        return Extensions.Select(e => Path.Combine(workspace.Root, folder, name + e)).FirstOrDefault(File.Exists);
    }

    /// <summary>The folder's YAML files, in byte order of their paths.</summary>
    public static IReadOnlyList<string> List(Workspace workspace, string folder)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var path = Path.Combine(workspace.Root, folder);
        return Directory.Exists(path)
            ? [.. Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>The names of the folder's files.</summary>
    public static IReadOnlyList<string> Names(Workspace workspace, string folder) =>
        [.. List(workspace, folder).Select(Path.GetFileNameWithoutExtension).OfType<string>()];

    /// <summary>A name as shown in a message: at most 64 characters, control characters escaped.</summary>
    public static string Shown(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var shown = string.Concat(name.Take(64).Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
        return name.Length > 64 ? shown + "…" : shown;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
