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
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var temporary = TemporaryBeside(full);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (ownerOnly && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// A fresh temporary path in <paramref name="full"/>'s folder (a rename within a folder is atomic), created if missing.
    /// Writers that produce the file some other way (a warehouse's own export) move it into place themselves.
    /// </summary>
    public static string TemporaryBeside(string full)
    {
        ArgumentNullException.ThrowIfNull(full);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }
}
