using System.Text;
using Segmenta.Language;
using Segmenta.Numerics;
using Segmenta.Sql;
using Xunit;

namespace Segmenta.Tests.Language;

/// <summary>
/// Throws 100,000 seeded random and mutated texts at the compiler: each must come back as a
/// compiled segment (whose SQL is then written for both dialects) or as diagnostics with a sane
/// position — never an exception, never a hang.
/// </summary>
public sealed class FuzzTests
{
    private const int Inputs = 100_000;

    private static readonly string[] Seeds = File.ReadLines(Path.Combine(Testing.TestPaths.RepositoryRoot, "tests", "Segmenta.Tests", "Language", "Cases", "duckdb.cases"))
        .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal))
        .Select(l => l.Split(" ⇶ ")[0])
        .ToArray();

    private static readonly string[] Fragments =
    [
        "segment", "where", "and", "or", "not", "(", ")", ",", ".", "=", "!=", "<", ">=", "between", "in", "contains", "starts", "with",
        "is", "null", "did", "then", "within", "top", "bottom", "%", "by", "last", "since", "before", "all", "time", "days", "months",
        "count(", "sum(", "avg(", "first(", "distinct", "purchase", "any", "revenue", "age", "country", "rfm.segment", "\"US\"", "'x'",
        "30", "-5", "2.5", "2024-01-01", "2024-13-45", "true", "#c\n", "\n", "\"unterminated", "\\", "ä", "\0", "9999999999999999999999999",
        "in segment vip", "description", "\"t\"", "where category = \"shoes\"", "more than", "ago", ";", "$1", "'; DROP TABLE customers; --",
        "+", "-", "*", "/", "`description`", "`age`", "`", "trait t =", "trait", "case sensitive", "most_frequent(", "days_since(", "signup_at",
        "then purchase within 2 days", "then cart_add", "= count(purchase)", "0", "/ 0", "income / (age - age)",
    ];

    [Fact]
    public void Compiler_RandomAndMutatedInput_ReturnsResultOrDiagnosticsNeverThrows()
    {
        var rng = new Xoshiro(20261124);
        var compiled = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var text = (i % 5) switch
            {
                4 => Combine(ref rng),
                0 => Mutate(Seeds[rng.NextInt(Seeds.Length)], ref rng),
                1 => Splice(ref rng),
                2 => RandomCharacters(ref rng),
                _ => "segment s" + (i % 7) + " where " + Mutate(Seeds[rng.NextInt(Seeds.Length)], ref rng) + (rng.Chance(0.3) ? "\nsegment t where in segment s" + (i % 7) : ""),
            };
            compiled += Check(text) ? 1 : 0;
        }

        // Both outcomes must be well exercised, or the fuzzer is testing only one path.
        Assert.True(compiled > Inputs / 20 && compiled < Inputs - Inputs / 20, $"{compiled} of {Inputs} inputs compiled");
    }

    [Fact]
    public void Compiler_DeeplyNestedInput_IsDiagnosedNotOverflowed()
    {
        foreach (var depth in new[] { 63, 64, 65, 10_000, 100_000 })
        {
            var text = new string('(', depth) + "age > 1" + new string(')', depth);
            var notText = string.Concat(Enumerable.Repeat("not ", depth)) + "age > 1";
            foreach (var t in new[] { text, notText })
            {
                var ok = SegmentCompiler.TryCompileCondition(t, LanguageFixtures.Schema, null, out _, out var diagnostics);
                Assert.True(ok || diagnostics.Any(d => d.Code == DiagnosticCodes.TooDeep), $"depth {depth}: {string.Join("; ", diagnostics)}");
            }
        }
    }

    private static bool Check(string text)
    {
        var whole = SegmentCompiler.Compile(text, LanguageFixtures.Schema);
        foreach (var d in whole.Diagnostics)
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
            Assert.Matches("^SEG[0-9]{3}$", d.Code);
            Assert.True(d.Span.Start >= 0 && d.Span.End >= d.Span.Start && d.Span.End <= text.Length && d.Line >= 1 && d.Column >= 1, $"bad span {d.Span} for {d} in: {text}");
            _ = d.Excerpt(text);
        }

        foreach (var segment in whole.Segments)
        {
            WriteSql(segment);
        }

        var ok = SegmentCompiler.TryCompileCondition(text, LanguageFixtures.Schema, LanguageFixtures.Others, out var condition, out var diagnostics);
        Assert.Equal(ok, diagnostics.Count == 0);
        if (condition is not null)
        {
            WriteSql(condition);
        }

        return ok || whole.Segments.Count > 0;
    }

    private static void WriteSql(SegmentDefinition segment)
    {
        foreach (ISqlDialect dialect in new ISqlDialect[] { DuckDbDialect.Instance, PostgresDialect.Instance })
        {
            var query = segment.Query(dialect, LanguageFixtures.Context);
            var members = query.Members();
            Assert.DoesNotContain("DROP", members.Text, StringComparison.OrdinalIgnoreCase);
            _ = query.Preview();
        }
    }

    private static string Mutate(string text, ref Xoshiro rng)
    {
        var sb = new StringBuilder(text);
        var edits = rng.Chance(0.7) ? 1 : 1 + rng.NextInt(3);
        for (var e = 0; e < edits; e++)
        {
            var at = sb.Length == 0 ? 0 : rng.NextInt(sb.Length + 1);
            switch (rng.NextInt(4))
            {
                case 0 when sb.Length > 0:
                    sb.Remove(Math.Min(at, sb.Length - 1), 1 + rng.NextInt(Math.Max(1, Math.Min(8, sb.Length - Math.Min(at, sb.Length - 1)))));
                    break;
                case 1:
                    sb.Insert(at, " " + Fragments[rng.NextInt(Fragments.Length)] + " ");
                    break;
                case 2:
                    sb.Insert(at, (char)(32 + rng.NextInt(95)));
                    break;
                default:
                    if (sb.Length > 0)
                    {
                        sb[Math.Min(at, sb.Length - 1)] = (char)(32 + rng.NextInt(95));
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Valid conditions joined by and/or/not: mostly well formed, deeply varied.</summary>
    private static string Combine(ref Xoshiro rng)
    {
        var parts = new List<string>();
        var n = 2 + rng.NextInt(3);
        for (var i = 0; i < n; i++)
        {
            var part = "(" + Seeds[rng.NextInt(Seeds.Length)] + ")";
            parts.Add(rng.Chance(0.3) ? "not " + part : part);
        }

        var joined = string.Join(rng.Chance(0.5) ? " and " : " or ", parts);
        return rng.Chance(0.2) ? Mutate(joined, ref rng) : joined;
    }

    private static string Splice(ref Xoshiro rng)
    {
        var sb = new StringBuilder();
        var n = 1 + rng.NextInt(25);
        for (var i = 0; i < n; i++)
        {
            sb.Append(Fragments[rng.NextInt(Fragments.Length)]).Append(rng.Chance(0.8) ? " " : "");
        }

        return sb.ToString();
    }

    private static string RandomCharacters(ref Xoshiro rng)
    {
        var length = rng.NextInt(60);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = rng.Chance(0.9) ? (char)(32 + rng.NextInt(95)) : (char)rng.NextInt(0x3000);
        }

        return new string(chars);
    }
}
