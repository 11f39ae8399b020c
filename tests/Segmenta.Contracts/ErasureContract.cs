using System.Text.Json;
using Segmenta.Campaigns;
using Segmenta.Generation;
using Segmenta.Identity;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Refresh;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Erasure on every backend (docs/identity.md, "Erasure"): after a refresh and a measured campaign, forgetting a customer
/// leaves no value of theirs in any table (every table of the warehouse is read whole), their later data is dropped, and
/// yesterday's measurement of the campaign is what it was, to the byte.
/// </summary>
public abstract class ErasureContract
{
    private protected abstract Backend Backend { get; }

    private const string Segments = """
        segment buyers "Buyers" where did purchase
        segment browsers where not in segment buyers
        """;

    private const string Campaign = """
        description: erasure test
        salt: erasure-2025
        holdout: 0.3
        segments:
          buyers: { name: thanks, message: "Thank you", channel: email }
          browsers: { name: first_order, message: "10% off", channel: email }
        outcome:
          window: 14 days
          conversion: [purchase]
          open: [email_open]
          click: [email_click]
          visit: [session]
        """;

    [SkippableFact]
    public void Forget_ACustomerEverywhere_LeavesNoTraceDropsTheirLaterDataAndKeepsThePastMeasurement()
    {
        using var f = new WarehouseFixture(Backend);
        f.IngestGenerated(new GeneratorOptions(500, 10_000, 7, GeneratorOptions.DefaultAsOf));
        var asOf = GeneratorOptions.DefaultAsOf;
        var send = asOf.AddDays(-30);
        Directory.CreateDirectory(Path.Combine(f.Workspace.Root, Workspace.SegmentsFolder));
        File.WriteAllText(Path.Combine(f.Workspace.Root, Workspace.SegmentsFolder, "erasure.seg"), Segments);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.True(library.Compilation.Success, string.Join("\n", library.Compilation.Diagnostics));
        var definition = CampaignDefinition.Parse("erasure", Campaign);
        var launched = CampaignLauncher.Launch(f.Warehouse, library, definition, new EvaluationContext(send, TimeZoneInfo.Utc), send, out _);

        // The person: a treated customer who bought in the window, with an e-mail, who also browsed anonymously.
        var person = f.Strings(
            """
            SELECT a.customer_id FROM campaign_assignments a JOIN customers c ON c.customer_id = a.customer_id
            WHERE a.arm <> 'holdout' AND c.email IS NOT NULL AND EXISTS (
                SELECT 1 FROM events e WHERE e.customer_id = a.customer_id AND e.event_type = 'purchase' AND e.occurred_at >= $1 AND e.occurred_at < $2)
            ORDER BY a.customer_id LIMIT 1
            """,
            send,
            send.AddDays(14)).Single();
        var email = f.Strings("SELECT email FROM customers WHERE customer_id = $1", person).Single();
        const string Device = "dev-erase-7q2x";
        var day = asOf.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        f.Ingest(TableKind.Events, f.Write("visits.csv", $"customer_id,anonymous_id,event_type,occurred_at\n,{Device},page_view,{day}T10:00:00Z\n{person},{Device},session,{day}T10:05:00Z\n{person},,purchse,{day}T10:06:00Z\n"));
        Assert.Contains(f.Strings("SELECT raw FROM quarantine"), raw => raw.Contains(person, StringComparison.Ordinal));
        RefreshPipeline.Run(f.Workspace, f.Warehouse, new EvaluationContext(asOf, TimeZoneInfo.Utc), TimeProvider.System);
        Assert.NotEmpty(f.Strings("SELECT customer_id FROM segment_intervals WHERE customer_id = $1", person));

        var options = new MeasureOptions(BootstrapReplicates: 300);
        var before = JsonSerializer.Serialize(CampaignMeasurement.Measure(f.Warehouse, launched, TimeZoneInfo.Utc, options), ResultJson.Indented);
        var sizes = f.Strings("SELECT segment || ' ' || CAST(size AS VARCHAR) FROM segment_materializations ORDER BY segment, as_of");

        var outcome = Erasure.Forget(f.Warehouse, [person], "test", asOf, TimeZoneInfo.Utc, TimeProvider.System);
        Assert.Equal(1, outcome.Document.Customers);
        Assert.Equal(0, outcome.Document.NotFound);
        Assert.Contains(outcome.Document.Tables, t => t.Table == Warehouse.Tables.Events && t.Rows > 1);
        Assert.Contains(outcome.Document.Tables, t => t.Table == Warehouse.Tables.Quarantine && t.Rows == 1);

        // No trace: every value of every table, read whole, split into tokens.
        var traces = Scan(f, [person, Device, email, email.ToLowerInvariant()]);
        Assert.True(traces.Count == 0, "left behind: " + string.Join("; ", traces));
        var request = Assert.Single(Erasure.Requests(f.Warehouse, 10));
        Assert.Equal(JsonSerializer.Serialize(outcome.Document, ResultJson.Compact), JsonSerializer.Serialize(request, ResultJson.Compact));

        // The past stands: the campaign's measurement, and the sizes the snapshots recorded.
        var after = JsonSerializer.Serialize(CampaignMeasurement.Measure(f.Warehouse, launched, TimeZoneInfo.Utc, options), ResultJson.Indented);
        Assert.Equal(before, after);
        Assert.Equal(sizes, f.Strings("SELECT segment || ' ' || CAST(size AS VARCHAR) FROM segment_materializations ORDER BY segment, as_of"));

        // Never again: a resent profile (even under another id with their e-mail) and events are dropped and counted.
        var again = f.Ingest(TableKind.Events, f.Write("again.csv", $"customer_id,anonymous_id,event_type,occurred_at\n{person},,page_view,{day}T11:00:00Z\n,{Device},page_view,{day}T11:01:00Z\nsomeone-else,,page_view,{day}T11:02:00Z\n"));
        Assert.Equal(2, again.Suppressed);
        Assert.Equal(1, again.Loaded);
        var profile = f.Ingest(TableKind.Customers, f.Write("profile.csv", $"customer_id,email\nnew-id-1,{email.ToUpperInvariant()}\n"));
        Assert.Equal(1, profile.Suppressed);
        Assert.Equal([2L, 1L], f.Warehouse.IngestRuns(2).Select(r => r.Summary.Suppressed).Reverse());
        Assert.Empty(Scan(f, [person, Device, email]));
    }

    [SkippableFact]
    public void Erasure_ListsEveryTableOfTheWarehouse()
    {
        // A table added later must say whether it holds personal data: erased by customer, by identifier, or holding none.
        using var f = new WarehouseFixture(Backend);
        var listed = Erasure.ByCustomer.Concat(Erasure.ByIdentifier).Concat(Erasure.WithoutPersonalData).ToHashSet(StringComparer.Ordinal);
        var tables = TableNames(f).Where(t => !t.Contains("_shard_", StringComparison.Ordinal)).ToList();
        Assert.Contains(Warehouse.Tables.Events, tables);
        Assert.DoesNotContain(tables, t => !listed.Contains(t));
        // Tables only some warehouses keep (the event id hashes: DuckDB) are listed and may be absent.
        var optional = f.Warehouse.Dialect.CreateEventIdHashes().Count == 0 ? new[] { Warehouse.Tables.EventIdHashes, Warehouse.Tables.EventIdHashFunction } : [];
        Assert.DoesNotContain(listed, t => !tables.Contains(t) && !optional.Contains(t));
    }

    private static List<string> TableNames(WarehouseFixture f) =>
        f.Strings("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");

    /// <summary>Every place a token of the person's is found: table, column and the value.</summary>
    private static List<string> Scan(WarehouseFixture f, IReadOnlyList<string> tokens)
    {
        var wanted = tokens.ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        foreach (var table in TableNames(f))
        {
            f.Warehouse.Read(new SqlStatement($"SELECT * FROM {f.Dialect.QuoteIdentifier(table)}", []), r =>
            {
                for (var i = 0; i < r.FieldCount; i++)
                {
                    if (!r.IsDBNull(i) && r.GetValue(i) is string text && Erasure.Tokens(text).Any(wanted.Contains))
                    {
                        found.Add($"{table}.{r.GetName(i)} = {text}");
                    }
                }
            });
        }

        return found;
    }
}
