using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Segmenta.Language;
using Segmenta.Sql;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Tests.Language;

/// <summary>
/// Golden case files, one case per line: <c>condition ⇶ SQL ⇶ parameters</c> per dialect, and
/// <c>bad text ⇶ diagnostic</c>. Run with SEGMENTA_UPDATE_GOLDEN=1 to rewrite the expected side after a
/// deliberate change, then review the diff.
/// </summary>
public sealed partial class GoldenTests
{
    private const string Arrow = " ⇶ ";
    private static readonly bool Update = Environment.GetEnvironmentVariable("SEGMENTA_UPDATE_GOLDEN") == "1";

    public static TheoryData<string> Dialects => new() { "duckdb", "postgres" };

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Compile_GoldenCases_MatchSqlAndParameters(string dialectName)
    {
        ISqlDialect dialect = dialectName == "duckdb" ? DuckDbDialect.Instance : PostgresDialect.Instance;
        RunCases(dialectName + ".cases", text =>
        {
            Assert.True(SegmentCompiler.TryCompileCondition(text, LanguageFixtures.Schema, LanguageFixtures.Others, out var segment, out var diagnostics), $"{text}: {string.Join("; ", diagnostics)}");
            var sql = segment!.Query(dialect, LanguageFixtures.Context).Members();
            return OneLine(sql.Text) + Arrow + Show(sql.Parameters);
        });
    }

    [Fact]
    public void Compile_BadCases_GiveTheDiagnostic() => RunCases("diagnostics.cases", text =>
    {
        var ok = SegmentCompiler.TryCompileCondition(text.Replace("\\n", "\n", StringComparison.Ordinal), LanguageFixtures.Schema, LanguageFixtures.Others, out _, out var diagnostics);
        return ok ? "(compiles)" : string.Join(" | ", diagnostics.Select(d => $"{d.Code} {d.Line}:{d.Column}+{d.Span.Length} {d.Message}"));
    });

    /// <summary>Checks (or with SEGMENTA_UPDATE_GOLDEN=1 rewrites) each <c>text ⇶ expected</c> line of a case file.</summary>
    private static void RunCases(string name, Func<string, string> expectedFor)
    {
        var path = CasePath(name);
        var failures = new List<string>();
        var output = new StringBuilder();
        var cases = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (IsComment(line))
            {
                output.AppendLine(line);
                continue;
            }

            cases++;
            var text = line.Split(Arrow)[0];
            var actual = text + Arrow + expectedFor(text);
            output.AppendLine(actual);
            if (actual != line)
            {
                failures.Add($"expected: {line}\n  actual: {actual}");
            }
        }

        Finish(path, output, failures, cases);
    }

    private static void Finish(string path, StringBuilder output, List<string> failures, int cases)
    {
        Assert.True(cases >= 20, $"{path} has only {cases} cases");
        if (Update)
        {
            File.WriteAllText(path, output.ToString());
            return;
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases differ in {Path.GetFileName(path)}:\n" + string.Join("\n", failures));
    }

    private static bool IsComment(string line) => line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal);

    private static string CasePath(string name) => Path.Combine(TestPaths.RepositoryRoot, "tests", "Segmenta.Tests", "Language", "Cases", name);

    internal static string OneLine(string sql) => Whitespace().Replace(sql, " ").Trim();

    internal static string Show(IReadOnlyList<object?> parameters) => "[" + string.Join(", ", parameters.Select(p => p switch
    {
        null => "null",
        string s => "'" + s + "'",
        DateTime t => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "d",
        bool b => b ? "true" : "false",
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => p.ToString(),
    })) + "]";

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
