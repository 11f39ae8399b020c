using Xunit;

namespace Segmenta.Tests;

public class FailureKindTests
{
    [Fact]
    public void EveryPublicExceptionOfTheCore_IsASegmentaExceptionWithAKind()
    {
        // Hosts map failures by kind, once each (the CLI's exit codes, the API's statuses): an exception the core
        // throws at users outside the hierarchy would be answered as a bug (exit with a trace, 500).
        var outside = typeof(SegmentaException).Assembly.GetExportedTypes()
            .Where(t => typeof(Exception).IsAssignableFrom(t) && !typeof(SegmentaException).IsAssignableFrom(t))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(outside);
    }
}
