using Segmenta.Configuration;

namespace Segmenta.Workspaces;

/// <summary>
/// A folder holding <c>segmenta.yaml</c>, the warehouse file and the segments, campaigns and mappings
/// written as code. Commands find theirs from the current directory upward.
/// </summary>
public sealed class Workspace
{
    /// <summary>The folders every workspace has.</summary>
    public static IReadOnlyList<string> Folders { get; } = [SegmentsFolder, "campaigns", "mappings", "destinations"];

    /// <summary>Where segment files (<c>*.seg</c>) live.</summary>
    public const string SegmentsFolder = "segments";

    private Workspace(string root, WorkspaceSettings settings)
    {
        Root = root;
        Settings = settings;
    }

    /// <summary>The absolute path of the workspace folder.</summary>
    public string Root { get; }

    /// <summary>The parsed settings.</summary>
    public WorkspaceSettings Settings { get; }

    /// <summary>The absolute path of the DuckDB file.</summary>
    public string WarehousePath => Path.GetFullPath(Path.Combine(Root, Settings.Warehouse.Path));

    /// <summary>Resolves a path given relative to the workspace.</summary>
    public string Resolve(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    /// <summary>Creates a workspace in <paramref name="directory"/>; fails if one is already there.</summary>
    public static Workspace Init(string directory, WorkspaceSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var root = Path.GetFullPath(directory);
        var file = Path.Combine(root, WorkspaceSettings.FileName);
        if (File.Exists(file))
        {
            throw new WorkspaceException($"{file} already exists: this folder is already a workspace");
        }

        settings ??= new WorkspaceSettings { Name = Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar)) is { Length: > 0 } n ? n : "segmenta" };
        Directory.CreateDirectory(root);
        foreach (var folder in Folders)
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }

        AtomicFile.WriteAllText(file, settings.ToYaml());
        return new Workspace(root, settings);
    }

    /// <summary>Opens the workspace whose settings file is in <paramref name="directory"/>.</summary>
    public static Workspace Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var root = Path.GetFullPath(directory);
        var file = Path.Combine(root, WorkspaceSettings.FileName);
        if (!File.Exists(file))
        {
            throw new WorkspaceException($"no {WorkspaceSettings.FileName} in {root}; run `segmenta init` there first");
        }

        return new Workspace(root, WorkspaceSettings.Parse(file, File.ReadAllText(file)));
    }

    /// <summary>Finds the workspace that holds <paramref name="start"/>, searching upward.</summary>
    public static Workspace Find(string start)
    {
        ArgumentNullException.ThrowIfNull(start);
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, WorkspaceSettings.FileName)))
            {
                return Open(dir.FullName);
            }
        }

        throw new WorkspaceException($"no workspace here: neither {Path.GetFullPath(start)} nor a folder above it holds {WorkspaceSettings.FileName}; run `segmenta init` or pass --workspace DIR");
    }
}

/// <summary>A workspace could not be found, created or opened.</summary>
public sealed class WorkspaceException(string message) : SegmentaException(message, FailureKind.BadInput);
