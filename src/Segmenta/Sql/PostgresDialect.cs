using System.Globalization;
using Segmenta.Model;

namespace Segmenta.Sql;

/// <summary>
/// PostgreSQL's SQL (15 and later). Queries are the same text on a single node and on the coordinator
/// of a sharded warehouse; only the tables differ: with shards, a distributed table is hash-partitioned
/// by its key and partition i is a <c>postgres_fdw</c> foreign table on server <c>segmenta_shard_i</c>.
/// </summary>
public sealed class PostgresDialect : ISqlDialect
{
    /// <summary>A single node.</summary>
    public static PostgresDialect Instance { get; } = new(0);

    private PostgresDialect(int shards) => Shards = shards;

    /// <summary>The number of worker shards distributed tables are partitioned over (0: a single node).</summary>
    public int Shards { get; }

    /// <summary>The dialect of a warehouse sharded over <paramref name="shards"/> workers (0: a single node).</summary>
    public static PostgresDialect Sharded(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shards);
        return shards == 0 ? Instance : new PostgresDialect(shards);
    }

    /// <summary>The coordinator's foreign server for worker <paramref name="shard"/>.</summary>
    public static string ShardServer(int shard) => "segmenta_shard_" + shard.ToString(CultureInfo.InvariantCulture);

    /// <summary>The partition of <paramref name="table"/> held by worker <paramref name="shard"/> (the same name on both sides).</summary>
    public static string ShardTable(string table, int shard) => table + "_shard_" + shard.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string Name => "postgres";

    /// <inheritdoc />
    public string TimestampType => "TIMESTAMP";

    /// <inheritdoc />
    public string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <inheritdoc />
    public string TypeName(FieldType type) => type switch
    {
        FieldType.Text => "TEXT",
        FieldType.Integer => "BIGINT",
        FieldType.Number => "NUMERIC(18,4)",
        FieldType.Boolean => "BOOLEAN",
        FieldType.Date => "DATE",
        FieldType.Timestamp => "TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <inheritdoc />
    public string Parameter(int ordinal) => "$" + ordinal.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string Contains(string text, string part) => $"strpos({text}, {part}) > 0";

    /// <inheritdoc />
    public string StartsWith(string text, string prefix) => $"starts_with({text}, {prefix})";

    /// <inheritdoc />
    public string EndsWith(string text, string suffix) => $"right({text}, length({suffix})) = {suffix}";

    /// <inheritdoc />
    public string MinusSeconds(string instant, string seconds) => $"{instant} - make_interval(secs => {seconds})";

    /// <inheritdoc />
    public string? ParameterType(Type type) => type == typeof(long) ? "BIGINT" : type == typeof(decimal) ? "NUMERIC" : null;

    /// <inheritdoc />
    public string SmallestBy(string value, string key, string filter, int count) => $"(array_agg({value} ORDER BY {key}) FILTER (WHERE {filter}))[1:{count.ToString(CultureInfo.InvariantCulture)}]";

    /// <inheritdoc />
    public string DiscreteQuantiles(string value, IReadOnlyList<double> shares) =>
        $"percentile_disc(ARRAY[{string.Join(", ", shares.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}]::double precision[]) WITHIN GROUP (ORDER BY {value})";

    /// <inheritdoc />
    public string ToDouble(string number) => $"CAST({number} AS DOUBLE PRECISION)";

    /// <inheritdoc/>
    /// <remarks>NUMERIC has no fixed precision; only bigint × bigint needs the cast.</remarks>
    public string Product(string a, string b) => $"(CAST({a} AS NUMERIC) * {b})";

    /// <inheritdoc/>
    public string EpochMicros(string timestamp) => $"CAST(extract(epoch FROM {timestamp}) * 1000000 AS BIGINT)";

    /// <inheritdoc/>
    public string DaysBetween(string earlier, string later) => $"({later} - {earlier})";

    /// <inheritdoc />
    public string DoubleType => "DOUBLE PRECISION";

    /// <inheritdoc />
    public string SumType => "NUMERIC";

    /// <inheritdoc />
    public string LocalDate(string instant, string zone) => $"CAST(({instant} AT TIME ZONE 'UTC') AT TIME ZONE {zone} AS DATE)";

    /// <inheritdoc />
    public string WholeDaysBetween(string earlier, string later) => $"CAST(floor(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400) AS BIGINT)";

    /// <inheritdoc />
    public string IntegerDivide(string dividend, string divisor) => $"(CAST({dividend} AS BIGINT) / CAST({divisor} AS BIGINT))";

    /// <inheritdoc />
    public string BinaryOrder(string text) => $"({text} COLLATE \"C\")";

    /// <inheritdoc />
    public IReadOnlyList<string> CreateTable(string name, IReadOnlyList<string> columns, string? primaryKey, string? distributeBy)
    {
        if (Shards == 0 || distributeBy is null)
        {
            return [SqlDdl.CreateTable(this, name, columns, primaryKey)];
        }

        // Foreign partitions cannot carry a unique index: the key is enforced on each worker's table.
        var statements = new List<string> { SqlDdl.CreateTable(this, name, columns, null) + $" PARTITION BY HASH ({QuoteIdentifier(distributeBy)})" };
        for (var i = 0; i < Shards; i++)
        {
            var shard = ShardTable(name, i);
            statements.Add(
                $"CREATE FOREIGN TABLE {QuoteIdentifier(shard)} PARTITION OF {QuoteIdentifier(name)} " +
                $"FOR VALUES WITH (MODULUS {Shards.ToString(CultureInfo.InvariantCulture)}, REMAINDER {i.ToString(CultureInfo.InvariantCulture)}) " +
                $"SERVER {QuoteIdentifier(ShardServer(i))} OPTIONS (table_name '{shard}')");
        }

        return statements;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> CreateIndex(string table, params string[] columns) => [SqlDdl.CreateIndex(this, table, columns)];

    /// <inheritdoc />
    public IReadOnlyList<string> DropCostlyKey(string table, params string[] notNull) => [];

    /// <inheritdoc />
    public IReadOnlyList<string> CreateEventIdHashes() => [];

    /// <inheritdoc />
    public string? OrderEventsFingerprint(string events, string purchase, string refund) => null;
}
