using Segmenta.Model;
using Segmenta.Numerics;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Contracts;

/// <summary>
/// A small seeded customer base with the awkward parts a segment must survive: missing traits and
/// properties, mixed-case text, events after as-of, ties, customers with no events, derived fields
/// for only some customers. Loaded into a warehouse and kept in memory for the reference evaluator.
/// </summary>
internal sealed class RandomWorkspace
{
    public static readonly DateTime AsOf = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    public static readonly string[] EventTypes = ["purchase", "email_open", "email_click", "email_unsubscribe", "page_view", "refund", "consent_granted", "consent_withdrawn"];
    public static readonly string[] Categories = ["shoes", "Shoes", "books", "toys", "home"];
    public static readonly string[] Channels = ["web", "app", "store", "WEB"];

    /// <summary>The channels of consent events: mixed case, and one no segment asks about.</summary>
    public static readonly string[] ConsentChannels = ["email", "sms", "Email", "push", "fax"];
    public static readonly string[] Countries = ["US", "us", "CA", "DE", "GB", "Canada"];
    public static readonly string[] RfmSegments = ["Champions", "At Risk", "at risk", "Lost"];

    private RandomWorkspace(List<RefCustomer> customers, Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> derived)
    {
        Customers = customers;
        Derived = derived;
    }

    public List<RefCustomer> Customers { get; }

    public Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> Derived { get; }

    public static RandomWorkspace Create(ulong seed, int customerCount)
    {
        var rng = new Xoshiro(seed);
        var customers = new List<RefCustomer>();
        var rfm = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        var clv = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        var eventNumber = 0;
        for (var i = 0; i < customerCount; i++)
        {
            // Every tenth is an anonymous visitor's profile (docs/identity.md), for `is anonymous`.
            var id = i % 10 == 9 ? $"anon:V{i:D4}" : $"C{i:D4}";
            T? Maybe<T>(T value) => rng.NextDouble() < 0.1 ? default : value;
            var traits = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var field in CanonicalModel.CustomerFields)
            {
                traits[field.Name] = null;
            }

            traits["customer_id"] = id;
            traits["email"] = Maybe($"{(rng.NextDouble() < 0.5 ? "ann" : "Bob")}{i}@{(rng.NextDouble() < 0.5 ? "gmail.com" : "example.ORG")}");
            traits["first_name"] = Maybe(rng.NextDouble() < 0.5 ? "Jo" : "Al");
            traits["age"] = rng.NextDouble() < 0.1 ? null : (long?)(18 + (long)(rng.NextDouble() * 60));
            traits["country"] = Maybe(Countries[(int)(rng.NextDouble() * Countries.Length)]);
            traits["city"] = Maybe("City" + (int)(rng.NextDouble() * 5));
            traits["income"] = rng.NextDouble() < 0.15 ? null : (decimal?)Math.Round((decimal)(20_000 + rng.NextDouble() * 100_000), 2);
            traits["signup_at"] = rng.NextDouble() < 0.1 ? null : (DateTime?)AsOf.AddMinutes(-Math.Floor(rng.NextDouble() * 3 * 365 * 24 * 60) + 10_000);
            traits["birth_date"] = rng.NextDouble() < 0.1 ? null : (DateOnly?)new DateOnly(1950, 1, 1).AddDays((int)(rng.NextDouble() * 20_000));
            traits["email_opt_in"] = rng.NextDouble() < 0.1 ? null : rng.NextDouble() < 0.6;
            traits["region"] = Maybe(Countries[(int)(rng.NextDouble() * Countries.Length)]);

            var events = new List<IReadOnlyDictionary<string, object?>>();
            var count = rng.NextDouble() < 0.15 ? 0 : (int)(rng.NextDouble() * 25);
            for (var e = 0; e < count; e++)
            {
                var type = EventTypes[(int)(Math.Pow(rng.NextDouble(), 1.5) * EventTypes.Length)];

                // Minutes before as-of over two years, some after it (they must never count), and
                // a few on exact day and window boundaries.
                var minutes = rng.NextDouble() < 0.05 ? -(int)(rng.NextDouble() * 2000) : (int)(rng.NextDouble() * 2 * 365 * 24 * 60);
                var at = rng.NextDouble() < 0.05 ? AsOf.AddDays(-(int)(rng.NextDouble() * 400)) : AsOf.AddMinutes(-minutes);
                if (type.StartsWith("consent_", StringComparison.Ordinal) && rng.NextDouble() < 0.4)
                {
                    // Grants and withdrawals at the same instant (a withdrawal wins), and on the as-of instant itself.
                    at = AsOf.AddDays(-(int)(rng.NextDouble() * 6));
                }

                var purchaseLike = type is "purchase" or "refund";
                events.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["event_id"] = "E" + eventNumber++,
                    ["customer_id"] = id,
                    ["event_type"] = type,
                    ["occurred_at"] = at,
                    ["revenue"] = purchaseLike && rng.NextDouble() > 0.05 ? (type == "refund" ? -1 : 1) * Math.Round((decimal)(5 + rng.NextDouble() * 200), rng.NextDouble() < 0.3 ? 0 : 2) : null,
                    ["quantity"] = purchaseLike ? (long?)(1 + (long)(rng.NextDouble() * 4)) : null,
                    ["order_id"] = null,
                    ["product"] = null,
                    ["category"] = purchaseLike || rng.NextDouble() < 0.3 ? Maybe(Categories[(int)(rng.NextDouble() * Categories.Length)]) : null,
                    ["channel"] = type.StartsWith("consent_", StringComparison.Ordinal)
                        ? ConsentChannels[(int)(rng.NextDouble() * ConsentChannels.Length)]
                        : Maybe(Channels[(int)(rng.NextDouble() * Channels.Length)]),
                    ["campaign_id"] = null,
                    ["duration_seconds"] = type == "page_view" ? (decimal?)Math.Round((decimal)(rng.NextDouble() * 300), 1) : null,
                });
            }

            customers.Add(new RefCustomer(id, traits, events));
            if (rng.NextDouble() < 0.7)
            {
                rfm[id] = new Dictionary<string, object?>
                {
                    ["segment"] = RfmSegments[(int)(rng.NextDouble() * RfmSegments.Length)],
                    ["r"] = (long)(1 + rng.NextDouble() * 5),
                    ["f"] = (long)(1 + rng.NextDouble() * 5),
                    ["m"] = (long)(1 + rng.NextDouble() * 5),
                };
            }

            if (rng.NextDouble() < 0.8)
            {
                clv[id] = new Dictionary<string, object?>
                {
                    ["p_alive"] = Math.Round((decimal)rng.NextDouble(), 4),
                    ["clv_12m"] = Math.Round((decimal)(rng.NextDouble() * 500), 2),
                };
            }
        }

        return new RandomWorkspace(customers, new() { ["rfm"] = rfm, ["clv"] = clv });
    }

    /// <summary>Writes the customers, events and derived tables into the warehouse (plain INSERTs: the same on every backend).</summary>
    public void Load(IWarehouse warehouse)
    {
        var statements = new List<SqlStatement>();
        statements.AddRange(Insert(warehouse.Dialect, "customers", warehouse.Columns(TableKind.Customers).Select(c => c.Name).ToArray(), Customers.Select(c => c.Traits)));
        statements.AddRange(Insert(warehouse.Dialect, "events", warehouse.Columns(TableKind.Events).Select(c => c.Name).ToArray(), Customers.SelectMany(c => c.Events)));
        statements.Add(new SqlStatement("CREATE TABLE fixture_rfm (customer_id VARCHAR PRIMARY KEY, segment VARCHAR, r BIGINT, f BIGINT, m BIGINT)", []));
        statements.Add(new SqlStatement("CREATE TABLE fixture_clv (customer_id VARCHAR PRIMARY KEY, p_alive DECIMAL(18,4), clv_12m DECIMAL(18,4))", []));
        statements.AddRange(Insert(warehouse.Dialect, "fixture_rfm", ["customer_id", "segment", "r", "f", "m"], Derived["rfm"].Select(kv => With(kv.Key, kv.Value))));
        statements.AddRange(Insert(warehouse.Dialect, "fixture_clv", ["customer_id", "p_alive", "clv_12m"], Derived["clv"].Select(kv => With(kv.Key, kv.Value))));
        warehouse.ExecuteInTransaction(statements);
    }

    private static Dictionary<string, object?> With(string id, IReadOnlyDictionary<string, object?> row) =>
        new(row.Append(new KeyValuePair<string, object?>("customer_id", id)), StringComparer.Ordinal);

    private static IEnumerable<SqlStatement> Insert(ISqlDialect dialect, string table, string[] columns, IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        foreach (var chunk in rows.Chunk(250))
        {
            var sql = new SqlBuilder(dialect);
            sql.Append($"INSERT INTO {dialect.QuoteIdentifier(table)} ({string.Join(", ", columns.Select(dialect.QuoteIdentifier))}) VALUES ");
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Length; c++)
                {
                    sql.Append((c == 0 ? "" : ", ") + sql.Parameter(chunk[r].GetValueOrDefault(columns[c])));
                }

                sql.Append(")");
            }

            yield return sql.Build();
        }
    }
}
