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

    /// <summary>
    /// Reads <c>FOLDER/NAME.yaml</c> of a kind of definition (<c>campaign</c>, <c>destination</c>): an invalid name is
    /// refused before a path is made, a file that names another definition is refused, and a missing one is
    /// <paramref name="unknown"/> with a suggestion (and <paramref name="noneYet"/> when the folder has none). Each kind
    /// reports with its own exceptions.
    /// </summary>
    public static T Load<T>(
        Workspace workspace, string folder, string kind, string name,
        Func<string, string, T> parse, Func<T, string> nameOf, Func<string, SegmentaException> mistake, Func<string, SegmentaException> unknown, string noneYet)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(nameOf);
        ArgumentNullException.ThrowIfNull(mistake);
        ArgumentNullException.ThrowIfNull(unknown);
        if (!IsValidName(name))
        {
            throw mistake($"`{Shown(name)}` is not a {kind} name: lower snake case, starting with a letter, at most 63 characters");
        }

        if (Find(workspace, folder, name) is { } path)
        {
            var relative = Path.GetRelativePath(workspace.Root, path);
            var definition = parse(relative, File.ReadAllText(path));
            return nameOf(definition) == name
                ? definition
                : throw mistake($"{relative} names its {kind} `{nameOf(definition)}`; use that name as the file name");
        }

        var known = Names(workspace, folder);
        throw unknown($"no {kind} `{name}`: {folder}/{name}.yaml does not exist{Configuration.Suggestions.DidYouMean(name, known)}" + (known.Count == 0 ? noneYet : ""));
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
