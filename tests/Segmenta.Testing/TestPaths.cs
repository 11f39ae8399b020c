namespace Segmenta.Testing;

/// <summary>Where the repository and the shared reference datasets are, and fresh temporary folders.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The shared datasets (../shared/data beside the checkout), or SEGMENTA_DATA.</summary>
    public static string Data => Environment.GetEnvironmentVariable("SEGMENTA_DATA")
        ?? Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    public static string DataFile(string name)
    {
        var path = Path.Combine(Data, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"reference dataset missing: {path}");
    }

    public static string Sample(string relative) => Path.Combine(RepositoryRoot, "samples", relative);

    public static TempDir NewTempDir() => new();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Segmenta.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Segmenta.slnx) above " + AppContext.BaseDirectory);
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "segmenta-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var file = File(name);
        System.IO.File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
