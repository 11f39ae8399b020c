using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Segmenta.DuckDb;

/// <summary>
/// DuckDB's write-ahead log (<c>FILE.wal</c>) after a process died in the middle of a commit: its unfinished commit is
/// cut off before DuckDB opens the file. DuckDB 1.5 writes a commit's entries to the log, then a flush entry that makes
/// it count; a SIGKILL in between leaves a log that ends without that flush. DuckDB's replay drops such a tail's ordinary
/// entries but still installs its row-group entries — the row groups a large append wrote to the file ahead of the commit
/// (seen: all 1.5M events of a killed ingest, without its run record or customers, which a re-run then loaded a second
/// time; reproduced with plain SQL and two tables; duckdb/duckdb#25931 is the open fix). The log is a sequence of entries
/// <c>[size: u64][checksum: u64][data]</c> after an 8-byte version header, each entry's data starting with its type
/// (field 100); cutting it after the last flush (or checkpoint) entry leaves what DuckDB itself would keep of it.
/// </summary>
internal static class DuckDbLog
{
    /// <summary>The header of a version-2 log (DuckDB 1.1 and later): field 100 = 98 (version entry), field 101 = 2, end.</summary>
    private static ReadOnlySpan<byte> VersionTwo => [0x64, 0x00, 0x62, 0x65, 0x00, 0x02, 0xFF, 0xFF];

    private const byte Checkpoint = 99;
    private const byte Flush = 100;

    /// <summary>
    /// Cuts the unfinished commit off the log of the database at <paramref name="databasePath"/>, if it has one, while
    /// holding the database file's lock (the one DuckDB takes: another process that has the file open keeps its log, which
    /// may be a commit in progress). Only on Linux, whose lock this code takes, and only for a log it can read whole;
    /// returns whether it cut anything. The caller makes sure no DuckDB instance of this process has the file open: a lock
    /// this process takes is released with every lock of the process on the file when its descriptor closes.
    /// </summary>
    public static bool DiscardUnfinishedCommit(string databasePath)
    {
        var path = databasePath + ".wal";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return false;
        }

        try
        {
            using var database = new FileStream(databasePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            if (!TryLock(database.SafeFileHandle))
            {
                return false;
            }

            using var log = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            if (CommittedLength(log) is not { } committed || committed >= log.Length)
            {
                return false;
            }

            log.SetLength(committed);
            log.Flush(flushToDisk: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;   // DuckDB meets the files as they are
        }
    }

    /// <summary>
    /// The length of <paramref name="log"/> up to the end of its last flush or checkpoint entry (its header alone when it
    /// has none), or null when it is not a log this code reads (another version, an entry of another shape).
    /// </summary>
    public static long? CommittedLength(Stream log)
    {
        ArgumentNullException.ThrowIfNull(log);
        Span<byte> head = stackalloc byte[16 + 3];
        log.Position = 0;
        if (log.ReadAtLeast(head[..VersionTwo.Length], VersionTwo.Length, throwOnEndOfStream: false) < VersionTwo.Length
            || !head[..VersionTwo.Length].SequenceEqual(VersionTwo))
        {
            return null;
        }

        long position = VersionTwo.Length, committed = position;
        while (log.Length - position >= head.Length)
        {
            log.Position = position;
            log.ReadExactly(head);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(head);
            if (size < 3 || head[16] != 0x64 || head[17] != 0x00 || head[18] >= 0x80)
            {
                return null;   // not field 100 with a one-byte type first
            }

            if (size > (ulong)(log.Length - position - 16))
            {
                break;   // the last entry was cut short
            }

            position += 16 + (long)size;
            if (head[18] is Flush or Checkpoint)
            {
                committed = position;
            }
        }

        return committed;
    }

    /// <summary>Takes a write lock on the whole file as DuckDB does (<c>fcntl F_SETLK</c>); false when another process holds one.</summary>
    private static bool TryLock(SafeFileHandle file)
    {
        var request = new FileLock { Type = WriteLock, Whence = 0, Start = 0, Length = 0 };
        return SetLock(file, SetLockCommand, ref request) == 0;
    }

    private const int SetLockCommand = 6;   // F_SETLK on Linux
    private const short WriteLock = 1;      // F_WRLCK

    /// <summary>Linux's <c>struct flock</c> (64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int SetLock(SafeFileHandle file, int command, ref FileLock request);
}
