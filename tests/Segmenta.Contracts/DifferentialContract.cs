using Segmenta.Language;
using Segmenta.Testing;
using Segmenta.Tests.Language;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// The compiled SQL, run on a backend, against the reference evaluator on the same seeded data:
/// random segments and every golden case must give identical members. Each backend's test project
/// derives a class naming its <see cref="Backend"/>.
/// </summary>
public abstract class DifferentialContract
{
    private const int SegmentsPerWorkspace = 260;

    /// <summary>Seeded workspaces per time zone (each with <see cref="SegmentsPerWorkspace"/>/2 segments); SEGMENTA_DIFFERENTIAL_WORKSPACES overrides.</summary>
    protected virtual int Workspaces => int.TryParse(Environment.GetEnvironmentVariable("SEGMENTA_DIFFERENTIAL_WORKSPACES"), out var n) ? n : 4;

    private protected abstract Backend Backend { get; }

    public static TheoryData<string> Zones => new() { "UTC", "America/New_York" };

    [SkippableTheory]
    [MemberData(nameof(Zones))]
    public void RandomSegments_DatabaseAndReference_GiveTheSameMembers(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var failures = new List<string>();
        var compared = 0;
        var nonEmpty = 0;
        for (var w = 0; w < Workspaces; w++)
        {
            var seed = (ulong)(1000 + w + (zoneId == "UTC" ? 0 : 100));
            using var fixture = new Loaded(Backend, seed, zone);
            var generator = new RandomSegments(seed * 7919);
            for (var i = 0; i < SegmentsPerWorkspace / 2; i++)
            {
                var text = generator.Next();
                var (database, reference) = fixture.Compare(text);
                compared++;
                nonEmpty += reference.Count > 0 && reference.Count < fixture.Workspace.Customers.Count ? 1 : 0;
                if (!database.SequenceEqual(reference))
                {
                    failures.Add(Explain(text, database, reference));
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} segments differ:\n" + string.Join("\n", failures.Take(10)));
        Assert.True(compared >= Workspaces * SegmentsPerWorkspace / 2, "too few segments compared");

        // Guards the generator itself: segments that always select nobody or everybody test little.
        Assert.True(nonEmpty > compared / 2, $"only {nonEmpty} of {compared} random segments selected some but not all customers");
    }

    [SkippableFact]
    public void GoldenCases_DatabaseAndReference_GiveTheSameMembers()
    {
        using var fixture = new Loaded(Backend, 77, LanguageFixtures.Context.Zone, LanguageFixtures.Context.AsOf);
        var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Segmenta.Tests", "Language", "Cases", "duckdb.cases");
        var failures = new List<string>();
        var cases = 0;
        foreach (var line in File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)))
        {
            var text = line.Split(" ⇶ ")[0];
            var (database, reference) = fixture.Compare(text);
            cases++;
            if (!database.SequenceEqual(reference))
            {
                failures.Add(Explain(text, database, reference));
            }
        }

        Assert.True(cases >= 50);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private string Explain(string text, List<string> database, List<string> reference) =>
        $"  {text}\n    {Backend.Name} {database.Count}, reference {reference.Count}; only the database: {string.Join(",", database.Except(reference).Take(5))}; only reference: {string.Join(",", reference.Except(database).Take(5))}";

    /// <summary>A random workspace loaded into a fresh warehouse, with its reference evaluator.</summary>
    private sealed class Loaded : IDisposable
    {
        private readonly WarehouseFixture fixture;
        private readonly ReferenceEvaluator reference;
        private readonly EvaluationContext context;
        private readonly SegmentCompilation library;

        public Loaded(Backend backend, ulong seed, TimeZoneInfo zone, DateTime? asOf = null)
        {
            fixture = new WarehouseFixture(backend);
            Workspace = RandomWorkspace.Create(seed, 220);
            Workspace.Load(fixture.Warehouse);
            context = new EvaluationContext(asOf ?? RandomWorkspace.AsOf, zone);
            library = SegmentCompiler.Compile(LanguageFixtures.Library, LanguageFixtures.Schema);
            reference = new ReferenceEvaluator(Workspace.Customers, Workspace.Derived, LanguageFixtures.Library, context.AsOf, zone);
        }

        public RandomWorkspace Workspace { get; }

        public (List<string> Database, List<string> Reference) Compare(string text)
        {
            Assert.True(
                SegmentCompiler.TryCompileCondition(text, LanguageFixtures.Schema, library, out var segment, out var diagnostics),
                $"generated text does not compile: {text}\n{string.Join("\n", diagnostics)}");
            var members = new List<string>();
            fixture.Warehouse.Read(segment!.Query(fixture.Dialect, context).Members(), r => members.Add(r.GetString(0)));
            members.Sort(StringComparer.Ordinal);
            return (members, reference.Members(text));
        }

        public void Dispose() => fixture.Dispose();
    }
}
