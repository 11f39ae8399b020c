using System.Text;
using Segmenta.Contracts;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// A clean CSV file goes to DuckDB's own parallel reader (<see cref="BulkCsvPlan"/>); any other goes row by row. The two
/// must load the same rows, quarantine the same lines with the same reasons and count the same: every case here is
/// ingested both ways into fresh workspaces and compared whole, and each case also states which reader it must take,
/// so that the fast reader can neither silently refuse everything nor accept a row it would load differently.
/// </summary>
public class WholeFileIngestTests
{
    private const string Header = "event_id,customer_id,event_type,occurred_at,revenue,quantity,product,channel";

    /// <summary>Rows DuckDB's reader loads as the row-by-row path does: quoting, separators and newlines inside quotes, Unicode, edges of each type.</summary>
    private const string Clean = """
        e1,c1,purchase,2024-01-05T10:00:00Z,19.99,1,"Mug, large",web
        e2,c2,email_open,2024-01-06T08:30:00Z,,,,email
        e3,c1,session,2024-02-29T23:59:59Z,,,"two
        lines",web
        e4,c3,consent_granted,2024-01-07T00:00:00Z,,,,email
        e5,c3,purchase,2024-01-08T00:00:00Z,-0.5,-2,"",app
        e6,c4,purchase,2024-01-08T00:00:00Z,12345678901234.1234,007,"quote "" inside",web
        "e7",c5,purchase,1000-01-01T00:00:00Z,-99999999999999.9999,123456789012345678,Ünïcödé ✓ 😀,web
        e8,c5,refund,9999-12-31T23:59:59Z,0,0,tab	inside,web
        """;

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "clean", Clean, true },
        { "an id repeated in the file (the first is kept)", Clean + "\ne1,c9,purchase,2024-03-01T00:00:00Z,1,1,later,web", true },
        { "an id repeated in the file, once quoted", Clean + "\n\"e2\",c9,purchase,2024-03-01T00:00:00Z,1,1,later,web", true },
        { "an id repeated after CRLF line ends", Clean.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\ne8,c9,purchase,2024-03-01T00:00:00Z,1,1,later,web", true },
        { "CRLF line ends", Clean.Replace("\n", "\r\n", StringComparison.Ordinal), true },
        { "CR line ends", Clean.Replace("\n", "\r", StringComparison.Ordinal), true },
        { "mixed line ends", Clean.Replace("e2,", "\re2,", StringComparison.Ordinal), false },
        { "a byte order mark", "\uFEFF" + Clean, true },
        { "a blank line", Clean + "\n\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,x,web", true },
        { "spaces around unquoted text", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,  spaced  ,web", true },
        { "spaces inside quotes", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,\"  spaced  \",web", true },
        { "a space for T", Clean + "\ne9,c1,purchase,2024-03-01 00:00:00Z,1,1,x,web", false },
        { "an offset", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00+02:00,1,1,x,web", false },
        { "fractional seconds", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00.5Z,1,1,x,web", false },
        { "no zone (the workspace's)", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00,1,1,x,web", false },
        { "a day that does not exist", Clean + "\ne9,c1,purchase,2023-02-29T00:00:00Z,1,1,x,web", false },
        { "year zero", Clean + "\ne9,c1,purchase,0000-01-01T00:00:00Z,1,1,x,web", false },
        { "a year before 1000", Clean + "\ne9,c1,purchase,0999-01-01T00:00:00Z,1,1,x,web", false },
        { "an unknown event type", Clean + "\ne9,c1,purchse,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "an event type to trim", Clean + "\ne9,c1, purchase,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "a customer id to trim", Clean + "\ne9, c1,purchase,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "an anonymous prefix", Clean + "\ne9,anon:v1,purchase,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "a control character in an id", Clean + "\ne9,c\u00011,purchase,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "a C1 control character in an id", Clean + "\ne9\u0085,c1,purchase,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "a NUL in text", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,x\0y,web", false },
        { "five decimals (rounded)", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1.23456,1,x,web", false },
        { "an exponent", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1e3,1,x,web", false },
        { "a number with spaces", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z, 5 ,1,x,web", false },
        { "a blank number", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,   ,1,x,web", false },
        { "a whole number written 3.0", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,3.0,x,web", false },
        { "19 digits", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1234567890123456789,x,web", false },
        { "a consent without a channel", Clean + "\ne9,c1,consent_granted,2024-03-01T00:00:00Z,,,,", false },
        { "a missing event id", Clean + "\n,c1,purchase,2024-03-01T00:00:00Z,1,1,x,web", false },
        { "an extra field", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,x,web,extra", false },
        { "a missing field", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,x", false },
        { "a quote inside an unquoted field", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,say \"hi\",web", false },
        { "text after a closing quote", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,\"ab\"c,web", false },
        { "a space before a quote", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1, \"x\",web", false },
        { "a space after a quote", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,\"x\" ,web", false },
        { "a quoted last field without a final newline", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,x,\"web\"", true },
        { "an unterminated quote", Clean + "\ne9,c1,purchase,2024-03-01T00:00:00Z,1,1,\"open,web", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_file_loads_the_same_whichever_reader_takes_it(string name, string rows, bool whole)
    {
        // The header's line end is the file's.
        var text = rows.TrimStart('\uFEFF').Contains("\r\n", StringComparison.Ordinal) ? Header + "\r\n" + rows
            : rows.Contains('\r') && !rows.Contains('\n') ? Header + "\r" + rows
            : Header + "\n" + rows;
        text = rows.StartsWith('\uFEFF') ? "\uFEFF" + text.Replace("\uFEFF", "", StringComparison.Ordinal) : text;
        AssertSameEitherWay(name, text, whole, TableKind.Events, before: null);
    }

    private const string CustomerHeader = "customer_id,email,birth_date,age,income,signup_at,email_opt_in,city";

    /// <summary>Profiles DuckDB's reader loads as the row-by-row path does.</summary>
    private const string CleanCustomers = """
        c1,ann@example.com,1980-02-29,44,52000.5,2024-01-05T10:00:00Z,true,"Paris, FR"
        c2,,,,,,,
        c3,bo@example.com,1999-12-31,-1,0,2024-01-06T00:00:00Z,no,""
        c4,"x@y.z",2000-01-01,25,12345678901234.1234,2024-01-07T00:00:00Z,Y,Zürich ✓
        """;

    public static TheoryData<string, string, bool> CustomerCases => new()
    {
        { "clean", CleanCustomers, true },
        { "booleans in every form", CleanCustomers + "\nc5,,,,,,T,\nc6,,,,,,0,\nc7,,,,,,FALSE,", true },
        { "a customer twice, the same", CleanCustomers + "\nc1,ann@example.com,1980-02-29,44,52000.5,2024-01-05T10:00:00Z,true,\"Paris, FR\"", false },
        { "a customer twice, once quoted", CleanCustomers + "\n\"c2\",,,,,,,", false },
        { "a customer twice, different", CleanCustomers + "\nc1,ann@example.com,1980-02-29,45,52000.5,2024-01-05T10:00:00Z,true,Paris", false },
        { "a date that does not exist", CleanCustomers + "\nc5,,2023-02-29,,,,,", false },
        { "a date with a time", CleanCustomers + "\nc5,,2023-02-01T00:00:00Z,,,,,", false },
        { "a boolean in another form", CleanCustomers + "\nc5,,,,,,oui,", false },
        { "a customer id to trim", CleanCustomers + "\n c5,,,,,,,", false },
        { "a missing customer id", CleanCustomers + "\n,a@b.c,,,,,,", false },
    };

    [Theory]
    [MemberData(nameof(CustomerCases))]
    public void Profiles_load_the_same_whichever_reader_takes_them(string name, string rows, bool whole)
    {
        // Over stored profiles (through the run's stage: updates, unchanged rows and new ones all happen), and into an
        // empty table (straight in; a repeated id sends the file row by row).
        const string Stored = CustomerHeader + "\nc1,old@example.com,,,,,,\nc3,bo@example.com,1999-12-31,-1,0,2024-01-06T00:00:00Z,no,\"\"\n";
        foreach (var before in new[] { Stored, null })
        {
            AssertSameEitherWay(name + (before is null ? ", into an empty table" : ", over stored profiles"), CustomerHeader + "\n" + rows, whole, TableKind.Customers, before);
        }
    }

    /// <summary>Loads <paramref name="text"/> both ways into fresh workspaces (after <paramref name="before"/>, when given): same counts, same state, the reader <paramref name="whole"/> says.</summary>
    private static void AssertSameEitherWay(string name, string text, bool whole, TableKind table, string? before)
    {
        var (fast, fastState) = Load(text, readsWholeFiles: true, table, before);
        var (slow, slowState) = Load(text, readsWholeFiles: false, table, before);

        Assert.False(slow.WholeFile);
        Assert.Equal(slow with { WholeFile = false }, fast with { WholeFile = false });
        Assert.Equal(slowState, fastState);
        Assert.True(whole == fast.WholeFile, $"{name}: expected the {(whole ? "warehouse's" : "row-by-row")} reader");
    }

    [Fact]
    public void Bytes_that_are_not_utf8_go_row_by_row_and_are_quarantined()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "\n" + Clean + "\n").Concat("e9,c1,purchase,2024-03-01T00:00:00Z,1,1,"u8.ToArray()).Concat(new byte[] { 0xFF, 0xFE }).Concat(",web\n"u8.ToArray()).ToArray();
        var (fast, fastState) = Load(bytes, readsWholeFiles: true);
        var (slow, slowState) = Load(bytes, readsWholeFiles: false);
        Assert.False(fast.WholeFile);
        Assert.Equal(1, fast.Quarantined);
        Assert.Equal(slow, fast);
        Assert.Equal(slowState, fastState);
    }

    [Fact]
    public void A_path_duckdb_would_read_as_a_pattern_is_read_row_by_row()
    {
        // `e*.csv` as a glob would also read the other file here.
        using var f = new WarehouseFixture();
        f.Write("e-other.csv", Header + "\nx1,c9,purchase,2024-03-01T00:00:00Z,1,1,x,web\n");
        var file = f.Write("e*.csv", Header + "\n" + Clean);
        var summary = Ingestor(f, readsWholeFiles: true).Run(new IngestRequest(TableKind.Events, file));
        Assert.False(summary.WholeFile);
        Assert.Equal(8, summary.Loaded);
        Assert.Equal(0, f.Count("SELECT count(*) FROM events WHERE event_id = 'x1'"));
    }

    [Fact]
    public void A_file_loaded_whole_twice_loads_nothing_the_second_time()
    {
        using var f = new WarehouseFixture();
        var file = f.Write("e.csv", Header + "\n" + Clean);
        var first = Ingestor(f, readsWholeFiles: true).Run(new IngestRequest(TableKind.Events, file));
        var second = Ingestor(f, readsWholeFiles: true).Run(new IngestRequest(TableKind.Events, file));
        Assert.True(first.WholeFile && second.WholeFile);
        Assert.Equal(8, first.Loaded);
        Assert.Equal(new IngestSummary(8, 0, 0, 8, WholeFile: true), second);
        Assert.Equal(8, f.Count("SELECT count(*) FROM events"));
        Assert.Equal(5, f.Count("SELECT count(*) FROM customers"));
        Assert.Equal(2, f.Count("SELECT count(*) FROM ingest_runs"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rows_a_kill_in_the_commit_left_without_their_run_are_discarded_and_loaded_again(bool readsWholeFiles)
    {
        // What DuckDB's WAL replay can leave after a SIGKILL inside the commit (DuckDbSql.DeleteUnrecordedRuns): a run's
        // events and quarantine, tagged with its id, without its record in ingest_runs. Made here by deleting the record of
        // a run that did commit; the next run takes the same id.
        using var f = new WarehouseFixture();
        var first = f.Write("a.csv", Header + "\n" + Clean);
        var second = f.Write("b.csv", Header + "\nx1,c1,purchase,2024-03-01T00:00:00Z,1,1,x,web\nx2,c9,purchase,2024-03-02T00:00:00Z,2,1,y,web\nx3,c9,purchse,2024-03-02T00:00:00Z,2,1,y,web\n");
        Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, first));
        Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, second));
        using (var torn = f.Warehouse.BeginTransaction())
        {
            torn.Execute(new Segmenta.Sql.SqlStatement("DELETE FROM ingest_runs WHERE run_id = 2", []));
            torn.Commit();
        }

        var again = Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, second));
        Assert.Equal((2L, 1L, 0L), (again.Loaded, again.Quarantined, again.Duplicates));
        Assert.Equal(10, f.Count("SELECT count(*) FROM events"));
        Assert.Equal(0, f.Count("SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1) d"));
        Assert.Equal(["2 | 4"], f.Strings("SELECT concat_ws(' | ', run, line) FROM (SELECT run_id AS run, line FROM quarantine) q ORDER BY run"));
        Assert.Equal(["1 | 8", "2 | 2"], f.Strings("SELECT concat_ws(' | ', run_id, loaded) FROM ingest_runs ORDER BY run_id"));
        Assert.Equal(0, Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, second)).Loaded);
        Assert.Equal(10, f.Count("SELECT count(*) FROM events"));
    }

    private static (IngestSummary Summary, string State) Load(string text, bool readsWholeFiles, TableKind table = TableKind.Events, string? before = null) =>
        Load(Encoding.UTF8.GetBytes(text), readsWholeFiles, table, before);

    private static (IngestSummary Summary, string State) Load(byte[] bytes, bool readsWholeFiles, TableKind table = TableKind.Events, string? before = null)
    {
        using var f = new WarehouseFixture();
        if (before is not null)
        {
            Ingestor(f, readsWholeFiles: false).Run(new IngestRequest(table, f.Write("before.csv", before)));
        }

        var file = Path.Combine(f.Dir, "file.csv");
        File.WriteAllBytes(file, bytes);
        var summary = Ingestor(f, readsWholeFiles).Run(new IngestRequest(table, file));

        // A load that wrote without insertion order (distinct ids) sets it back, also when DuckDB refused the file midway.
        Assert.Equal(["true"], f.Strings("SELECT CAST(current_setting('preserve_insertion_order') AS VARCHAR)"));
        // Everything a load writes: the events (every column), the customers it created, the quarantine, the run's counts.
        var state = string.Join("\n", [
            .. f.Strings("SELECT CAST(e AS VARCHAR) FROM (SELECT * FROM events) e ORDER BY ALL"),
            .. f.Strings("SELECT CAST(c AS VARCHAR) FROM (SELECT * FROM customers) c ORDER BY ALL"),
            .. f.Strings("SELECT concat_ws(' | ', line, reason, raw) FROM quarantine ORDER BY line"),
            .. f.Strings("SELECT concat_ws(' | ', run_id, records_read, loaded, quarantined, duplicates) FROM ingest_runs ORDER BY run_id"),
            .. f.Strings("SELECT CAST(i AS VARCHAR) FROM (SELECT * FROM identities) i ORDER BY ALL"),
        ]);
        return (summary, state);
    }

    private static Ingestor Ingestor(WarehouseFixture f, bool readsWholeFiles) =>
        new(f.Warehouse, f.Workspace.Settings, TimeProvider.System, DuckDbParquetFiles.Instance) { ReadsWholeFiles = readsWholeFiles };
}
