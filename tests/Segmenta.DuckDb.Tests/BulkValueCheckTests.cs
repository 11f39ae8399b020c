using System.Text;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// The screen's test of a value (<see cref="BulkValueCheck"/>, on the file's bytes) against the load's SQL test of the same
/// value (DuckDbSql.CsvAccepts, DuckDB's regular expressions): the same answer for every one of thousands of random
/// values, many of them one character away from an accepted form, so that a column the screen vouches for is one the SQL
/// would have let through, row for row.
/// </summary>
public sealed class BulkValueCheckTests
{
    private const string Source = "v";

    public static TheoryData<string, FieldType, bool, bool, bool> Columns => new()
    {
        { CanonicalModel.CustomerId, FieldType.Text, true, true, true },
        { CanonicalModel.EventId, FieldType.Text, true, true, false },
        { "order_id", FieldType.Text, false, true, false },
        { "product", FieldType.Text, false, false, false },
        { "name", FieldType.Text, true, false, false },
        { "quantity", FieldType.Integer, false, false, false },
        { "revenue", FieldType.Number, false, false, false },
        { "birth_date", FieldType.Date, true, false, false },
        { CanonicalModel.OccurredAt, FieldType.Timestamp, true, false, false },
    };

    [Theory]
    [MemberData(nameof(Columns))]
    public void Accepts_TheSameValuesAsTheLoadsSql(string name, FieldType type, bool required, bool identifier, bool trimmed)
    {
        var column = new BulkColumn(new FieldDefinition(name, type), Source, required, identifier, trimmed);
        var values = Values(new Random(name.Length * 31 + (int)type)).ToList();
        using var dir = TestPaths.NewTempDir();
        using var w = DuckDbWarehouse.Open(dir.File("w.duckdb"));
        w.Execute($"CREATE TABLE probe (i BIGINT, {Source} VARCHAR)");
        ((IWarehouse)w).AppendInTransaction([], "probe", new TableRows(values.Count)
            .Add("i", [.. Enumerable.Range(0, values.Count).Select(i => (long?)i)])
            .Add(Source, [.. values]));

        var disagreements = new List<string>();
        w.Read(new Sql.SqlStatement($"SELECT i, coalesce({DuckDbSql.CsvAccepts(column)}, false) FROM probe ORDER BY i", []), r =>
        {
            var value = values[(int)r.GetInt64(0)];
            var bytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
            var screen = BulkValueCheck.Accepts(column, bytes, isNull: value is null);
            if (screen != r.GetBoolean(1))
            {
                disagreements.Add($"{(value is null ? "NULL" : Escape(value))}: screen {screen}, SQL {r.GetBoolean(1)}");
            }

            // Told that a value is printable ASCII (the fast reader knows it from its bitmap), the same answer; and a column
            // that takes any such value takes this one.
            if (value is not null && !bytes.AsSpan().ContainsAnyExceptInRange((byte)0x20, (byte)0x7E)
                && (BulkValueCheck.Accepts(column, bytes, isNull: false, printableAscii: true) != screen || (BulkValueCheck.AcceptsAnyPrintable(column) && !screen)))
            {
                disagreements.Add($"{Escape(value)}: told printable, another answer than {screen}");
            }
        });

        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements.Take(20)));
    }

    /// <summary>NULL, the empty text, accepted forms of every kind, each with one character changed, and random text.</summary>
    private static IEnumerable<string?> Values(Random random)
    {
        string[] alphabet = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-", ".", ":", "T", "Z", " ", "a", "x", "\"", "'", "\t", "\n", "\0", "\u007f", "\u0080", "\u0085", "\u009f", "\u00a0", "é", "日", "\U0001F600", "anon:", "!", "~"];
        string[] forms = ["2024-01-31T23:59:59Z", "1999-12-01T00:00:00Z", "2024-02-29", "1000-10-10", "-123", "123456789012345678", "1234567890123456789", "-12345678901234.5678", "0.5", "12.", ".5", "c123", "C-00042", " c1", "c1 ", "anon:7", "x", "Anne Marie"];
        yield return null;
        yield return "";
        foreach (var form in forms)
        {
            // Every character replaced by every one of the alphabet, and some inserted or removed.
            yield return form;
            for (var at = 0; at < form.Length; at++)
            {
                foreach (var change in alphabet)
                {
                    yield return form[..at] + change + form[(at + 1)..];
                }

                yield return form.Remove(at, 1);
                yield return form[..at] + alphabet[random.Next(alphabet.Length)] + form[at..];
            }
        }

        for (var i = 0; i < 2000; i++)
        {
            var text = new StringBuilder();
            for (var n = random.Next(0, 8); n > 0; n--)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            yield return text.ToString();
        }
    }

    private static string Escape(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) || c > 0x7E ? $"\\u{(int)c:x4}" : c.ToString()));
}
