using Segmenta.Testing;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Tests;

public class AtomicFileTests
{
    [Fact]
    public void Write_FailingPartWay_LeavesTheTargetAsItWasAndNoTemporaryFile()
    {
        // `keys create` on a full disk left a 0-byte api-keys.json.tmp; a failed write must leave nothing behind.
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("api-keys.json");
        AtomicFile.WriteAllText(path, "before\n", ownerOnly: true);

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new con"u8);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("No space left on device", e.Message);
        Assert.Equal("before\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void WriteAllText_ReplacesTheWholeFile()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("sub/report.html");
        AtomicFile.WriteAllText(path, "a long first version\n");
        AtomicFile.WriteAllText(path, "short\n");
        Assert.Equal("short\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
