using System.Text;

namespace Segmenta.Workspaces;

/// <summary>
/// Files written whole or not at all: the content goes to a temporary file beside the target, is flushed to disk,
/// and replaces the target in one rename. If anything fails (a full disk), the temporary file is removed and the
/// target is as it was; the error, not a half-written or empty file, reaches the user.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark); <paramref name="ownerOnly"/>: readable by the owner alone.</summary>
    public static void WriteAllText(string path, string text, bool ownerOnly = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            stream.Write(bytes);
        }, ownerOnly);
    }

    /// <summary>Writes what <paramref name="write"/> puts into the stream.</summary>
    public static void Write(string path, Action<Stream> write, bool ownerOnly = false)
    {
        ArgumentNullException.ThrowIfNull(write);
        Replace(path, temporary =>
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (ownerOnly && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(temporary, options);
            write(stream);
            stream.Flush(flushToDisk: true);
        });
    }

    /// <summary>
    /// The mechanism under the others, for writers that produce the file themselves (a warehouse's own Parquet export):
    /// <paramref name="writeTemporary"/> writes a fresh temporary path in the target's folder (a rename within a folder
    /// is atomic), which then replaces the target; the temporary file is gone either way.
    /// </summary>
    public static void Replace(string path, Action<string> writeTemporary)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(writeTemporary);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
