using System.Reflection;
using System.Text.RegularExpressions;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.Tests.Sql;

/// <summary>
/// Who may write SQL (docs/architecture.md, "Who owns the SQL"): the builder and dialects in <c>Sql/</c>, one
/// <c>*Sql.cs</c> per feature folder and per adapter, the segment compiler's writer, and the schema's migrations.
/// Everyone else calls them. And every table is named through <see cref="Tables"/> and quoted by the dialect.
/// </summary>
public partial class SqlOwnershipTests
{
    [Fact]
    public void SqlStatementsAreWrittenOnlyByTheirOwners()
    {
        var outside = SourceFiles()
            .Where(f => !OwnsSql(f))
            .SelectMany(f => Interpolated().Matches(File.ReadAllText(f))
                .Where(m => Statement().IsMatch(m.Value))
                .Select(m => $"{Path.GetRelativePath(TestPaths.RepositoryRoot, f)}: {m.Value[..Math.Min(80, m.Value.Length)]}"))
            .ToList();
        Assert.Empty(outside);
    }

    [Fact]
    public void NoStatementSpellsATableBare()
    {
        // A table created through the dialect (quoted) and queried bare works only while its name needs no quotes:
        // every statement names tables through Tables and QuoteIdentifier, so none can drift.
        var names = typeof(Tables).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => Regex.Escape((string)f.GetRawConstantValue()!))
            .ToList();
        Assert.Contains("customers", names);
        var bare = new Regex($@"\b(FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)\s+({string.Join("|", names)})\b");
        var found = SourceFiles()
            .SelectMany(f => File.ReadAllLines(f)
                .Select((line, i) => (line, i))
                .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && bare.IsMatch(l.line))
                .Select(l => $"{Path.GetRelativePath(TestPaths.RepositoryRoot, f)}:{l.i + 1}: {l.line.Trim()}"))
            .ToList();
        Assert.Empty(found);
    }

    [Fact]
    public void TheChecksFindWhatTheyLookFor()
    {
        // The patterns above must match what they forbid, or the tests could not fail.
        Assert.Matches(Interpolated(), "x = $\"SELECT a FROM {t}\";");
        Assert.Matches(Statement(), "$\"DELETE FROM {t}\"");
        Assert.DoesNotMatch(Statement(), "$\"segment `{name}` selects nobody\"");
        Assert.True(OwnsSql(Path.Combine(TestPaths.RepositoryRoot, "src", "Segmenta", "Rfm", "RfmSql.cs")));
        Assert.False(OwnsSql(Path.Combine(TestPaths.RepositoryRoot, "src", "Segmenta", "Rfm", "RfmAnalysis.cs")));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static bool OwnsSql(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var folder = Path.GetFileName(Path.GetDirectoryName(file));
        return folder == "Sql" || name.EndsWith("Sql", StringComparison.Ordinal) || name is "SegmentSqlWriter" or "SegmentQuery" or "WarehouseSchema";
    }

    /// <summary>An interpolated string literal: <c>$"…"</c>, <c>$@"…"</c> or a raw <c>$"""…"""</c>.</summary>
    [GeneratedRegex("\\$+@?(\"\"\"[\\s\\S]*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.|\"\")*\")")]
    private static partial Regex Interpolated();

    [GeneratedRegex(@"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIEW|SCHEMA|UNIQUE)|ALTER\s+TABLE|DROP\s+(TABLE|INDEX|VIEW)|COPY\s)")]
    private static partial Regex Statement();
}
