using System.Text;
using Segmenta.Ingestion;
using Xunit;

namespace Segmenta.Tests;

/// <summary>
/// <see cref="CsvIdScreen"/> may answer "distinct" only when the ids are: checked against the row-by-row reader
/// (<see cref="CsvRecordSource"/>) on seeded random files with every quoting, line end and repeat, and on the edges one by one.
/// </summary>
public sealed class CsvIdScreenTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("segmenta-screen-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>The screen's answer, the same whether the file is read by one reader or in parts side by side.</summary>
    private long? Screen(string text, string column = "id", bool header = true, bool plainQuoting = true)
    {
        var answers = Enumerable.Range(1, 4).Select(parts => Screen(text, column, header, plainQuoting, parts)).Distinct().ToList();
        Assert.True(answers.Count == 1, $"one reader and parts disagree: {string.Join(", ", answers)}");
        return answers[0];
    }

    private long? Screen(string text, string column, bool header, bool plainQuoting, int parts)
    {
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        var columns = header ? text.TrimStart('\uFEFF').Split('\n')[0].TrimEnd('\r').Split(',') : ["id", "a", "b"];
        var plan = new BulkCsvPlan(path, ',', '"', header, columns, [], [], [], null);
        Assert.Equal(plainQuoting, plan.HasPlainQuoting());
        var general = CsvIdScreen.Screen(plan, column, [], parts, fast: false);
        var screened = CsvIdScreen.Screen(plan, column, [], parts);
        Assert.Equal((general.Records, general.IdsDistinct), (screened.Records, screened.IdsDistinct));
        Assert.False(general.QuoteFree);   // the general reader does not look at every byte
        Assert.Equal(screened.Records is not null && !text.Contains('"'), screened.QuoteFree);
        return CsvIdScreen.RecordsIfDistinct(plan, column, parts);
    }

    [Fact]
    public void Distinct_ids_give_the_count_of_records()
    {
        Assert.Equal(3, Screen("id,a\ne1,x\ne2,y\ne3,z\n"));
        Assert.Equal(3, Screen("a,id\nx,e1\ny,e2\nz,e3"));
        Assert.Equal(0, Screen("id,a\n"));
    }

    [Theory]
    [InlineData("id,a\ne1,x\ne1,y\n", "the same id twice")]
    [InlineData("id,a\n\"e1\",x\ne1,y\n", "quoted and unquoted")]
    [InlineData("id,a\n\"e\"\"1\",x\n\"e\"\"1\",y\n", "a doubled quote")]
    [InlineData("a,id\r\nx,e1\r\ny,e1", "the last column, CRLF and then the end")]
    [InlineData("id,a\n\"e\n1\",x\n\"e\n1\",y\n", "a line break inside quotes")]
    [InlineData("\uFEFFid,a\ne1,x\ne1,y\n", "after a byte order mark")]
    public void A_repeated_id_is_never_called_distinct(string text, string why)
    {
        Assert.True(Screen(text) is null, why);
    }

    [Fact]
    public void A_byte_order_mark_without_a_header_is_not_part_of_the_first_id()
    {
        Assert.Null(Screen("\uFEFFe1,x,y\ne1,x,y\n", header: false));
        Assert.Equal(2, Screen("\uFEFFe1,x,y\ne2,x,y\n", header: false));
    }

    [Fact]
    public void Quotes_decide_what_an_id_is()
    {
        Assert.Equal(2, Screen("id,a\n\"e\"\"1\",x\n\"e1\",y\n"));                // e"1 and e1
        Assert.Equal(2, Screen("id,a\n\"e,1\",x\n\"e\",1\n"));                     // a delimiter inside quotes
        Assert.Equal(3, Screen("id,a,b\ne1,\"x\ny\",1\ne2,\"\"\"\",2\ne3,,\n"));  // quotes and a line break after the id
    }

    [Fact]
    public void Blank_lines_are_not_records()
    {
        Assert.Equal(2, Screen("id,a\n\ne1,x\r\n\r\ne2,y\n\n"));
    }

    [Fact]
    public void A_file_it_cannot_read_as_the_warehouse_would_gets_no_answer()
    {
        Assert.Null(Screen("a,b,id\nx,y,e1\nx,y\n"));             // a record without the column
        Assert.Null(Screen("id,a\re1,x\re2,y\r"));                  // line breaks by CR alone
        Assert.Null(Screen("id,a\ne1,x\re2,y\n"));                  // a lone CR in a record
        Assert.Null(Screen("id,a\ne1,\"open\ne2,y\n", plainQuoting: false));   // a quote never closed (asked all the same)
        Assert.Null(Screen("id,a\ne1,x\n", column: "missing"));
    }

    [Fact]
    public void Records_longer_than_the_buffer_and_ids_across_its_edge_are_read_whole()
    {
        var text = new StringBuilder("id,a\n");
        text.Append("e0,\"").Append('x', 3 << 20).Append("\"\n");   // a 3 MiB field: the buffer grows
        for (var i = 1; i < 200_000; i++)
        {
            text.Append('e').Append(i).Append(",\"y\"\"").Append(new string('z', i % 13)).Append("\"\n");
        }

        Assert.Equal(200_000, Screen(text.ToString()));
        Assert.Null(Screen(text.Append("e199999,last\n").ToString()));
    }

    /// <summary>
    /// Seeded random files: ids from a small alphabet (quotes, delimiters and line breaks inside quotes), other fields with
    /// the same, LF or CRLF, blank lines, with and without a header; the screen's answer against the set of ids the
    /// row-by-row reader reads.
    /// </summary>
    [Fact]
    public void On_random_files_it_agrees_with_the_row_by_row_reader()
    {
        var random = new Random(20261203);
        var calledDistinct = 0;
        for (var file = 0; file < 400; file++)
        {
            var lineEnd = random.Next(2) == 0 ? "\n" : "\r\n";
            var header = random.Next(4) > 0;
            var idAt = random.Next(3);
            var records = random.Next(1, 60);
            var text = new StringBuilder(header ? string.Join(',', new[] { "id", "a", "b" }.Skip(3 - idAt).Concat(new[] { "id", "a", "b" }.Take(3 - idAt))) + lineEnd : "");
            var names = header ? text.ToString().TrimEnd('\r', '\n').Split(',') : ["id", "a", "b"];
            if (!header)
            {
                idAt = 0;
            }

            var idSpace = random.Next(2) == 0 ? records * records * 20 : records;   // seldom a repeat, or many
            for (var r = 0; r < records; r++)
            {
                var fields = new[] { Field(random, $"e{random.Next(idSpace)}"), Field(random, Text(random)), Field(random, Text(random)) };
                var id = fields[0];
                var ordered = new[] { fields[1], fields[2] }.ToList();
                ordered.Insert(Array.IndexOf(names, "id"), id);
                text.Append(string.Join(',', ordered)).Append(lineEnd);
                if (random.Next(20) == 0)
                {
                    text.Append(lineEnd);
                }
            }

            var content = text.ToString();
            if (random.Next(5) == 0)
            {
                content = content[..^lineEnd.Length];    // no final line break
            }

            var expected = RowByRow(content, header, names);
            var screened = Screen(content, header: header);
            if (expected.Distinct().Count() == expected.Count)
            {
                // A 64-bit hash collision among a few dozen ids would fail here: it does not happen.
                Assert.Equal(expected.Count, screened);
                calledDistinct++;
            }
            else
            {
                Assert.Null(screened);
            }
        }

        Assert.InRange(calledDistinct, 50, 350);   // both answers were exercised
    }

    private static string Text(Random random) => random.Next(6) switch
    {
        0 => "",
        1 => "plain",
        2 => "with, comma",
        3 => "say \"hi\"",
        4 => "two\nlines",
        _ => "crlf\r\ninside",
    };

    /// <summary>A value as a CSV field: quoted when it must be, and sometimes when it need not.</summary>
    private static string Field(Random random, string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || (value.Length > 0 && random.Next(3) == 0)
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;

    private static List<string> RowByRow(string content, bool header, string[] names)
    {
        using var source = CsvRecordSource.FromStream("t.csv", new MemoryStream(Encoding.UTF8.GetBytes(content)), new DelimitedFormat(',', header, header ? null : names));
        var id = header ? Array.IndexOf(names, "id") : 0;
        var ids = new List<string>();
        while (source.Read())
        {
            Assert.Null(source.RecordError);
            ids.Add(source.Value(id).ToString());
        }

        return ids;
    }

    /// <summary>The columns whose every value the screen accepts, the same whether read by one reader or in parts.</summary>
    private IReadOnlySet<string> Accepted(string text, params BulkColumn[] checks) => Screened(text, checks).Accepted;

    /// <summary>The columns accepted and those refused, the same whether read by one reader or in parts.</summary>
    private (IReadOnlySet<string> Accepted, IReadOnlySet<string> Refused) Screened(string text, params BulkColumn[] checks)
    {
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        var plan = new BulkCsvPlan(path, ',', '"', true, text.Split('\n')[0].Split(','), checks, [], [], null);
        var answers = Enumerable.Range(1, 3).SelectMany(parts => new[] { true, false }.Select(fast => CsvIdScreen.Screen(plan, null, checks, parts, fast))).ToList();
        Assert.All(answers, a => Assert.Equal(answers[0].Accepted.Order(), a.Accepted.Order()));
        Assert.All(answers, a => Assert.Equal(answers[0].Refused.Order(), a.Refused.Order()));
        Assert.All(answers, a => Assert.Equal(text.Count(c => c == '\n') - 1, a.Records));
        return (answers[0].Accepted, answers[0].Refused);
    }

    private static BulkColumn Check(string name, Model.FieldType type, bool required = false) =>
        new(new Model.FieldDefinition(name, type), name, required, Identifier: false, Trimmed: false);

    /// <summary>
    /// The bitmap reader against the general one on seeded random files of the kind machines write (few quotes, LF or
    /// CRLF) with every irregularity among them: a quoted field, a lone CR, a blank line, a short record, non-ASCII and
    /// control characters, values of every kind good and bad, records across 64-byte words, no final line break. Same
    /// records, same distinct answer, same accepted columns, read whole or in parts; quote-free exactly when the file has
    /// no quote.
    /// </summary>
    [Fact]
    public void The_bitmap_reader_agrees_with_the_general_one()
    {
        BulkColumn[] checks =
        [
            new(new Model.FieldDefinition(Model.CanonicalModel.CustomerId, Model.FieldType.Text), "customer_id", Required: true, Identifier: true, Trimmed: true),
            Check("n", Model.FieldType.Number), Check("q", Model.FieldType.Integer), Check("at", Model.FieldType.Timestamp, required: true),
            Check("t", Model.FieldType.Text), Check("r", Model.FieldType.Text, required: true),
            new(new Model.FieldDefinition("order_id", Model.FieldType.Text), "o", Required: false, Identifier: true, Trimmed: false),
        ];
        string[][] pools =
        [
            ["c1", "C-00042", " c1", "c1 ", "anon:7", "", "c\u00e9", "c\u0001", "c\u0085"],
            ["1.5", "-2", "", "12345678901234.5678", "1.23456", "x", "1e5"],
            ["7", "", "-8", "1234567890123456789", "3.0"],
            ["2024-01-31T23:59:59Z", "2024-02-28T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-31 23:59:59", ""],
            ["", "plain", " spaced ", "caf\u00e9", "tab\there", "nul\u0000", new string('w', 150)],
            ["x", "y z", " ", "", "  y", "\u00e9"],
            ["o1", "", " o2", "o\u0002", new string('o', 70)],
        ];
        var random = new Random(20261205);
        var acceptedWhole = 0;
        for (var file = 0; file < 300; file++)
        {
            var lineEnd = random.Next(3) == 0 ? "\r\n" : "\n";
            var clean = random.Next(2) == 0;    // values from the first two of each pool only: every column accepted
            var text = new StringBuilder("id,customer_id,n,q,at,t,r,o,extra" + lineEnd);
            var records = random.Next(1, 400);
            for (var r = 0; r < records; r++)
            {
                var fields = new List<string> { $"e{random.Next(clean ? 1_000_000 : records * 2)}" };
                fields.AddRange(pools.Select(pool => pool[random.Next(clean ? 2 : pool.Length)]));
                fields.Add(random.Next(4) == 0 ? "" : "z");
                var line = string.Join(',', fields);
                switch (clean ? -1 : random.Next(40))
                {
                    case 0: line = line.Replace(",z", ",\"q,\"\"z\"", StringComparison.Ordinal); break;   // a quoted field
                    case 1: line += "\r"; break;                                                            // a CR before the line end
                    case 2: line = string.Join(',', fields.Take(random.Next(1, fields.Count))); break;       // a short record
                    case 3: text.Append(lineEnd); break;                                                    // a blank line before
                    case 4: line = line.Replace("z", "\ry", StringComparison.Ordinal); break;               // a lone CR in a field
                }

                text.Append(line).Append(lineEnd);
            }

            var content = random.Next(5) == 0 ? text.ToString().TrimEnd('\r', '\n') : text.ToString();
            var path = Path.Combine(directory, $"{file}.csv");
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
            var plan = new BulkCsvPlan(path, ',', '"', true, ["id", "customer_id", "n", "q", "at", "t", "r", "o", "extra"], checks, [], [], null);
            for (var parts = 1; parts <= 3; parts++)
            {
                var general = CsvIdScreen.Screen(plan, "id", checks, parts, fast: false);
                var fast = CsvIdScreen.Screen(plan, "id", checks, parts, fast: true);
                Assert.Equal(general.Records, fast.Records);
                Assert.Equal(general.IdsDistinct, fast.IdsDistinct);
                Assert.Equal(general.Accepted.Order(), fast.Accepted.Order());
                Assert.Equal(general.Refused.Order(), fast.Refused.Order());
                Assert.Equal(fast.Records is not null && !content.Contains('"'), fast.QuoteFree);
                acceptedWhole += parts == 1 && fast.Accepted.Count == checks.Length ? 1 : 0;
            }
        }

        Assert.InRange(acceptedWhole, 50, 250);   // files accepted whole and files refused in part were both read
    }

    [Fact]
    public void A_record_longer_than_the_buffer_without_quotes_is_read_whole()
    {
        var text = new StringBuilder("id,t\n");
        text.Append("e0,").Append('x', 3 << 20).Append('\n');   // 3 MiB unquoted: the buffer grows under the bitmaps
        for (var i = 1; i < 50_000; i++)
        {
            text.Append('e').Append(i).Append(',').Append('y', i % 70).Append('\n');
        }

        Assert.Equal(50_000, Screen(text.ToString()));
        Assert.Null(Screen(text.Append("e49999,last\n").ToString()));
    }

    [Fact]
    public void Screen_AcceptsAColumnOnlyWhenEveryRecordsValueIsAccepted_NotTheHeaders()
    {
        var (accepted, refused) = Screened(
            "n,q,at,note\n1.5,7,2024-01-31T23:59:59Z,\n-2,8,2024-02-01T00:00:00Z,\"a, b\"\n3,x,2024-02-01T00:00:00Z,c\n",
            Check("n", Model.FieldType.Number), Check("q", Model.FieldType.Integer), Check("at", Model.FieldType.Timestamp, required: true),
            Check("note", Model.FieldType.Text));
        Assert.Equal(["at", "n", "note"], accepted.Order());   // q has an x; the header's words are not values
        Assert.Equal(["q"], refused.Order());
    }

    [Fact]
    public void Screen_AFileColumnLoadedTwice_ProvesNothingForIt()
    {
        // Two loaded columns from one file column, with different tests: the screen tests the first only, so neither counts.
        var accepted = Accepted("v,w\nabc,1\ndef,2\n", Check("v", Model.FieldType.Text), Check("v", Model.FieldType.Integer), Check("w", Model.FieldType.Integer));
        Assert.Equal(["w"], accepted.Order());
    }
}
