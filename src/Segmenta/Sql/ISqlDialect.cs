using Segmenta.Model;

namespace Segmenta.Sql;

/// <summary>
/// What differs between warehouses' SQL. Identifiers are quoted here and nowhere else; values never
/// pass through a dialect (they are parameters, written by <see cref="SqlBuilder"/>).
/// </summary>
public interface ISqlDialect
{
    /// <summary>duckdb or postgres.</summary>
    string Name { get; }

    /// <summary>Quotes an identifier that the caller has resolved against the schema.</summary>
    string QuoteIdentifier(string name);

    /// <summary>The column type for a field type.</summary>
    string TypeName(FieldType type);

    /// <summary>The column type for an instant.</summary>
    string TimestampType { get; }

    /// <summary>The placeholder of the 1-based parameter <paramref name="ordinal"/>.</summary>
    string Parameter(int ordinal);

    /// <summary>True when text <paramref name="text"/> contains <paramref name="part"/> (both SQL expressions).</summary>
    string Contains(string text, string part);

    /// <summary>True when <paramref name="text"/> starts with <paramref name="prefix"/>.</summary>
    string StartsWith(string text, string prefix);

    /// <summary>True when <paramref name="text"/> ends with <paramref name="suffix"/>.</summary>
    string EndsWith(string text, string suffix);

    /// <summary>An instant minus a whole number of seconds given as an expression (a parameter).</summary>
    string MinusSeconds(string instant, string seconds);

    /// <summary>
    /// The SQL type a parameter of a CLR type is cast to (null: none). Numbers are cast so that the
    /// warehouse never narrows a value to the other side's type (<c>age &gt;= 20.5</c> must not become <c>age &gt;= 20</c>).
    /// </summary>
    string? ParameterType(Type type);

    /// <summary>
    /// An aggregate: the list of up to <paramref name="count"/> values of <paramref name="value"/> with the
    /// smallest <paramref name="key"/> among rows passing <paramref name="filter"/> (NULL when none do).
    /// </summary>
    string SmallestBy(string value, string key, string filter, int count);

    /// <summary>A number as a double-precision float (ranking by averages, ratios).</summary>
    string ToDouble(string number);

    /// <summary>
    /// <paramref name="number"/> as an exact decimal with <paramref name="scale"/> digits after the point (38 in all), for
    /// sums and means that must not depend on the order a parallel aggregation adds the values in: a double sum differs
    /// in its last digits from run to run, a decimal one never does.
    /// </summary>
    string Exact(string number, int scale) => $"CAST({number} AS DECIMAL(38,{scale}))";

    /// <summary>
    /// The mean of <paramref name="number"/> as a double, summed exactly (<see cref="Exact"/>): the same on every run.
    /// Values of 10^15 or more (or NaN, infinite) would overflow the decimal sum, not the mean: should a column hold one,
    /// its mean is the plain double one instead of an error (a computed trait's arithmetic can get there, and must not fail a refresh).
    /// </summary>
    string ExactMean(string number, int scale = 12) =>
        $"CASE WHEN max(abs({number})) < 1e15 THEN {ToDouble($"avg({Exact($"CASE WHEN abs({number}) < 1e15 THEN {number} END", scale)})")} ELSE {ToDouble($"avg({number})")} END";

    /// <summary>
    /// <paramref name="a"/> × <paramref name="b"/> in a type wide enough not to overflow where the operands' own would: a
    /// product of two 18-digit decimals or two big integers. Exact on exact operands (decimals stay decimals).
    /// </summary>
    string Product(string a, string b);

    /// <summary>A TIMESTAMP (UTC) as whole microseconds since 1970-01-01, a BIGINT.</summary>
    string EpochMicros(string timestamp);

    /// <summary>The whole days from DATE <paramref name="earlier"/> to DATE <paramref name="later"/> (negative when it is in fact later).</summary>
    string DaysBetween(string earlier, string later);

    /// <summary>
    /// An aggregate: the discrete quantiles of <paramref name="value"/> (values it takes) at <paramref name="shares"/>,
    /// as one list in that order (null when no row has a value).
    /// </summary>
    string DiscreteQuantiles(string value, IReadOnlyList<double> shares);

    /// <summary>The column type of a double-precision float (ratios, averages).</summary>
    string DoubleType { get; }

    /// <summary>The type of a sum of numbers (<see cref="FieldType.Number"/>): a column that stores such a sum exactly as computed.</summary>
    string SumType { get; }

    /// <summary>
    /// The calendar date in time zone <paramref name="zone"/> (an IANA name, as an expression) of a
    /// zone-less UTC instant.
    /// </summary>
    string LocalDate(string instant, string zone);

    /// <summary>Whole 24-hour days from <paramref name="earlier"/> to <paramref name="later"/> (instants), rounded down, as an integer.</summary>
    string WholeDaysBetween(string earlier, string later);

    /// <summary>Integer division of two non-negative integers, rounded down.</summary>
    string IntegerDivide(string dividend, string divisor);

    /// <summary>A text expression that sorts by its bytes (code points), whatever the database's collation.</summary>
    string BinaryOrder(string text);

    /// <summary>
    /// Per <paramref name="id"/> of <paramref name="rows"/> (a query with the columns <paramref name="id"/>, <paramref name="value"/>
    /// and <paramref name="ranks"/>, one row per id and value), the value of the row with the largest first rank, then the
    /// largest second, … (a missing rank after every present one), then the first value in byte order: a query of the
    /// columns <paramref name="id"/> and <paramref name="value"/>, one row per id. What "the most frequent value" is made of.
    /// </summary>
    /// <remarks>
    /// A window's row_number per id, on every warehouse. DuckDB once took the least (rank missing, −rank, …, value) struct per id
    /// instead (arg_min: 0.63 s against 1.28 s for the most frequent category of 1M customers alone, the same CPU inside the
    /// features query), but an aggregate state holding text does not spill: at 100M events and 10M customers the features
    /// snapshot ran out of a 5GB memory limit, where the window's sort spills and the same statement completes (72 s).
    /// </remarks>
    string TopValue(string rows, string id, string value, IReadOnlyList<string> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var order = string.Join(", ", ranks.Select(r => $"{r} DESC NULLS LAST").Append(BinaryOrder(value)));
        return $"SELECT {id}, {value} FROM (\nSELECT {id}, {value}, row_number() OVER (PARTITION BY {id} ORDER BY {order}) AS top_n FROM (\n{rows}\n) t\n) r WHERE top_n = 1";
    }

    /// <summary>
    /// The statements that create a table. <paramref name="distributeBy"/> names the column a sharded
    /// warehouse partitions the table by (customers and events: <c>customer_id</c>); a single-node
    /// warehouse ignores it. A sharded warehouse enforces <paramref name="primaryKey"/> on its shards.
    /// </summary>
    IReadOnlyList<string> CreateTable(string name, IReadOnlyList<string> columns, string? primaryKey, string? distributeBy);

    /// <summary>
    /// The statements that index <paramref name="columns"/> of a table, where this warehouse benefits
    /// from an index (none on DuckDB, whose hash joins and zone maps serve Segmenta's scans better).
    /// </summary>
    IReadOnlyList<string> CreateIndex(string table, params string[] columns);

    /// <summary>
    /// The statements that take the primary key off <paramref name="table"/> (its <paramref name="notNull"/> columns stay
    /// NOT NULL), where this warehouse pays for the key's index at every bulk load and its writers already keep the key
    /// unique; none where the index is cheap to keep and serves lookups (PostgreSQL, whose shards enforce the key).
    /// </summary>
    IReadOnlyList<string> DropCostlyKey(string table, params string[] notNull);

    /// <summary>
    /// The statements that create <see cref="Warehouse.Tables.EventIdHashes"/> and <see cref="Warehouse.Tables.EventIdHashFunction"/>
    /// (empty: the first load into a table with rows fills them), where the duplicate check of a load reads hashes rather
    /// than ids; none where an index on the event id serves the check (PostgreSQL).
    /// </summary>
    IReadOnlyList<string> CreateEventIdHashes();

    /// <summary>
    /// One row — how many purchase and refund events are stored, a fingerprint of them (text: a sum of a hash of every
    /// column <see cref="Warehouse.Tables.OrderSummary"/> is computed from), and the last one's instant — or null where
    /// this warehouse keeps no order summary (PostgreSQL: its analyses read the events, pushed down to the shards).
    /// Any insert, delete or change of such an event changes the count or, but for a 64-bit hash collision, the sum.
    /// </summary>
    string? OrderEventsFingerprint(string events, string purchase, string refund);
}
