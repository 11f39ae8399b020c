using System.Globalization;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>
/// Every statement of the segments feature outside the compiled segment itself (<see cref="SegmentQuery"/>): recording
/// memberships as stays, the materializations, who was in a segment when, the migration matrix, the preview's CLV
/// lookup and the check for traits nobody has. Tables are named through <see cref="Tables"/> and quoted by the
/// dialect; values are parameters.
/// </summary>
internal static class SegmentSql
{
    /// <summary>
    /// Stores each computed trait's value for every customer that has one at the context's instant (replacing what that instant
    /// had), in the column of its type: numbers as doubles, text, times, dates, booleans.
    /// </summary>
    public static IEnumerable<SqlStatement> StoreTraitValues(ISqlDialect d, IReadOnlyList<ComputedTrait> traits, EvaluationContext context)
    {
        var table = d.QuoteIdentifier(Tables.ComputedTraitValues);
        var clear = new SqlBuilder(d);
        clear.Append($"DELETE FROM {table} WHERE as_of = {clear.Parameter(context.AsOf)}");
        yield return clear.Build();
        foreach (var trait in traits)
        {
            var sql = new SqlBuilder(d);
            var writer = new SegmentSqlWriter(context, sql);
            writer.Plan(trait.Expression);
            var value = writer.ValueExpression(trait.Expression, writer.Customers);
            var id = $"{writer.Customers}.{d.QuoteIdentifier(CanonicalModel.CustomerId)}";
            sql.Append($"INSERT INTO {table} (as_of, trait, version, customer_id, {TraitValueColumn(trait.Type)})\n");
            writer.WriteWith();
            sql.Append($"SELECT {sql.Parameter(context.AsOf)}, {sql.Parameter(trait.Name)}, {sql.Parameter(trait.Version)}, {id}, {Stored(d, trait, value)}\n");
            writer.WriteFrom("");
            sql.Append($"\nWHERE {value} IS NOT NULL");
            yield return sql.Build();
        }
    }

    /// <summary>Every customer's <c>customer_id</c> and each computed trait's value (numbers as doubles) at the context's instant, one row each.</summary>
    public static SqlStatement TraitValues(ISqlDialect d, IReadOnlyList<ComputedTrait> traits, EvaluationContext context)
    {
        var sql = new SqlBuilder(d);
        var writer = new SegmentSqlWriter(context, sql);
        foreach (var trait in traits)
        {
            writer.Plan(trait.Expression);
        }

        var values = traits.Select(t => Stored(d, t, writer.ValueExpression(t.Expression, writer.Customers)));
        writer.WriteWith();
        sql.Append($"SELECT {string.Join(", ", [$"{writer.Customers}.{d.QuoteIdentifier(CanonicalModel.CustomerId)}", .. values])}\n");
        writer.WriteFrom("");
        return sql.Build();
    }

    /// <summary>A trait's value as it is stored and described: numbers as doubles, anything else as it is.</summary>
    private static string Stored(ISqlDialect d, ComputedTrait trait, string value) =>
        trait.Type is FieldType.Integer or FieldType.Number ? d.ToDouble(value) : value;

    /// <summary>The column of <see cref="Tables.ComputedTraitValues"/> a value of this type is stored in.</summary>
    public static string TraitValueColumn(FieldType type) => type switch
    {
        FieldType.Integer or FieldType.Number => "number_value",
        FieldType.Text => "text_value",
        FieldType.Timestamp => "time_value",
        FieldType.Date => "date_value",
        _ => "bool_value",
    };

    /// <summary>
    /// Per trait and version stored at <paramref name="asOf"/>: <c>trait, version, customers, min, mean, max</c> (the number
    /// columns null for other types), and the most common text values: <c>trait, text_value, customers</c> ranked.
    /// </summary>
    public static SqlStatement TraitSummaries(ISqlDialect d, DateTime asOf)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT trait, version, count(*), min(number_value), {d.ExactMean("number_value", 6)}, max(number_value) FROM {d.QuoteIdentifier(Tables.ComputedTraitValues)} WHERE as_of = {sql.Parameter(asOf)} GROUP BY trait, version ORDER BY trait");
        return sql.Build();
    }

    /// <summary>The <paramref name="top"/> most common text values of each text trait stored at <paramref name="asOf"/>: <c>trait, text_value, customers</c>.</summary>
    public static SqlStatement TraitTopValues(ISqlDialect d, DateTime asOf, int top)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT trait, text_value, n FROM (SELECT trait, text_value, count(*) AS n, row_number() OVER (PARTITION BY trait ORDER BY count(*) DESC, {d.BinaryOrder("text_value")}) AS k FROM {d.QuoteIdentifier(Tables.ComputedTraitValues)} WHERE as_of = {sql.Parameter(asOf)} AND text_value IS NOT NULL GROUP BY trait, text_value) t WHERE k <= {sql.Parameter((long)top)} ORDER BY trait, n DESC, {d.BinaryOrder("text_value")}");
        return sql.Build();
    }

    /// <summary>Each segment's latest recorded instant — a materialization or a live update: <c>segment, as_of</c>.</summary>
    public static SqlStatement Latest(ISqlDialect d) =>
        new($"SELECT segment, max(as_of) FROM (SELECT segment, as_of FROM {d.QuoteIdentifier(Tables.SegmentMaterializations)} UNION ALL SELECT segment, updated_at FROM {d.QuoteIdentifier(Tables.SegmentLiveUpdates)}) t GROUP BY segment", []);

    /// <summary>
    /// The statements that bring <paramref name="segment"/>'s history up to the context's instant for the customers in
    /// <see cref="Tables.SegmentLiveTouched"/> (docs/activation.md), in order, each with what its changed rows count: +1
    /// entered, −1 exited, 0 nothing. A stay opened at this very instant by an earlier update and no longer held goes; one
    /// closed at it and held again reopens.
    /// </summary>
    public static IEnumerable<(SqlStatement Statement, int Counts)> RecordTouched(ISqlDialect d, SegmentDefinition segment, EvaluationContext context)
    {
        var intervals = d.QuoteIdentifier(Tables.SegmentIntervals);
        var staging = d.QuoteIdentifier(Tables.SegmentStaging);
        var touched = d.QuoteIdentifier(Tables.SegmentLiveTouched);
        SqlStatement One(Action<SqlBuilder> write)
        {
            var sql = new SqlBuilder(d);
            write(sql);
            return sql.Build();
        }

        string Held(string alias) => $"EXISTS (SELECT 1 FROM {staging} s WHERE s.segment = {alias}.segment AND s.customer_id = {alias}.customer_id)";
        yield return (One(sql => sql.Append($"DELETE FROM {staging}")), 0);
        yield return (One(sql =>
        {
            sql.Append($"INSERT INTO {staging} (segment, customer_id)\nSELECT {sql.Parameter(segment.Name)}, m.customer_id\nFROM (\n");
            segment.Query(d, context).WriteMembers(sql);
            sql.Append($"\n) m\nWHERE m.customer_id IN (SELECT t.customer_id FROM {touched} t)");
        }), 0);
        yield return (One(sql => sql.Append(
            $"DELETE FROM {intervals} WHERE segment = {sql.Parameter(segment.Name)} AND entered_at = {sql.Parameter(context.AsOf)} AND exited_at IS NULL AND customer_id IN (SELECT t.customer_id FROM {touched} t) AND NOT {Held(intervals)}")), -1);
        yield return (CloseStays(d, [segment.Name], context.AsOf, touchedOnly: true), -1);
        yield return (One(sql =>
        {
            var at = sql.Parameter(context.AsOf);
            sql.Append(
                $"""
                UPDATE {intervals} SET exited_at = NULL
                WHERE segment = {sql.Parameter(segment.Name)} AND exited_at = {at} AND {Held(intervals)}
                  AND NOT EXISTS (SELECT 1 FROM {intervals} o WHERE o.segment = {intervals}.segment AND o.customer_id = {intervals}.customer_id AND o.exited_at IS NULL)
                """);
        }), 1);
        yield return (OpenStays(d, context.AsOf), 1);
        yield return (One(sql => sql.Append($"DELETE FROM {staging}")), 0);
    }

    /// <summary>Empties the customers a live update evaluates.</summary>
    public static SqlStatement ClearLiveTouched(ISqlDialect d) => new($"DELETE FROM {d.QuoteIdentifier(Tables.SegmentLiveTouched)}", []);

    /// <summary>Records a live update of a segment.</summary>
    public static SqlStatement InsertLiveUpdate(ISqlDialect d, LiveSegmentUpdate update, DateTime at)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"INSERT INTO {d.QuoteIdentifier(Tables.SegmentLiveUpdates)} (segment, updated_at, evaluated, entered, exited, clock_dependent) VALUES ({sql.Parameter(update.Segment)}, {sql.Parameter(at)}, {sql.Parameter(update.Evaluated)}, {sql.Parameter(update.Entered)}, {sql.Parameter(update.Exited)}, {sql.Parameter(update.ClockDependent)})");
        return sql.Build();
    }

    /// <summary>The profiles identifiers resolve to: <c>customer_id</c>.</summary>
    public static SqlStatement ProfilesOf(ISqlDialect d, IReadOnlyCollection<Identity.Identifier> identifiers)
    {
        var sql = new SqlBuilder(d);
        var users = identifiers.Where(i => i.Kind == Identity.IdentifierKind.UserId).Select(i => i.Value).ToList();
        var anonymous = identifiers.Where(i => i.Kind == Identity.IdentifierKind.AnonymousId).Select(i => i.Value).ToList();
        sql.Append($"SELECT DISTINCT customer_id FROM {d.QuoteIdentifier(Tables.Identities)} WHERE (kind = {sql.Parameter(Identity.Identifier.Name(Identity.IdentifierKind.UserId))} AND id IN ({sql.ParameterList(users)})) OR (kind = {sql.Parameter(Identity.Identifier.Name(Identity.IdentifierKind.AnonymousId))} AND id IN ({sql.ParameterList(anonymous)}))");
        return sql.Build();
    }

    /// <summary>
    /// The statements that record <paramref name="segments"/>' members at the context's instant, in order, for one
    /// transaction: undo a materialization at the same instant, stage the members, close the stays of those who left,
    /// open stays for those who joined, store size, entered and exited, empty the staging. Written one at a time, as
    /// they are enumerated.
    /// </summary>
    public static IEnumerable<SqlStatement> Record(ISqlDialect d, IReadOnlyList<SegmentDefinition> segments, EvaluationContext context, DateTime now)
    {
        var intervals = d.QuoteIdentifier(Tables.SegmentIntervals);
        var staging = d.QuoteIdentifier(Tables.SegmentStaging);
        var materializations = d.QuoteIdentifier(Tables.SegmentMaterializations);
        var definitions = d.QuoteIdentifier(Tables.SegmentDefinitions);
        string Names(SqlBuilder sql) => string.Join(", ", segments.Select(s => sql.Parameter(s.Name)));
        SqlStatement One(Action<SqlBuilder> write)
        {
            var sql = new SqlBuilder(d);
            write(sql);
            return sql.Build();
        }

        // Undo a materialization at this very instant: what it opened goes, what it closed reopens.
        yield return One(sql => sql.Append($"DELETE FROM {intervals} WHERE segment IN ({Names(sql)}) AND entered_at = {sql.Parameter(context.AsOf)}"));
        yield return One(sql => sql.Append($"UPDATE {intervals} SET exited_at = NULL WHERE segment IN ({Names(sql)}) AND exited_at = {sql.Parameter(context.AsOf)}"));
        yield return One(sql => sql.Append($"DELETE FROM {materializations} WHERE segment IN ({Names(sql)}) AND as_of = {sql.Parameter(context.AsOf)}"));
        yield return One(sql => sql.Append($"DELETE FROM {staging}"));
        foreach (var segment in segments)
        {
            yield return One(sql => sql.Append(
                $"""
                INSERT INTO {definitions} (name, version, title, description, source_file, definition, created_at)
                SELECT {sql.Parameter(segment.Name)}, {sql.Parameter(segment.Version)}, {sql.Parameter(segment.Title)}, {sql.Parameter(segment.Description)}, {sql.Parameter(segment.File)}, {sql.Parameter(segment.Text)}, {sql.Parameter(now)}
                WHERE NOT EXISTS (SELECT 1 FROM {definitions} WHERE name = {sql.Parameter(segment.Name)} AND version = {sql.Parameter(segment.Version)})
                """));
            yield return One(sql =>
            {
                sql.Append($"INSERT INTO {staging} (segment, customer_id)\nSELECT {sql.Parameter(segment.Name)}, m.customer_id\nFROM (\n");
                segment.Query(d, context).WriteMembers(sql);
                sql.Append("\n) m");
            });
        }

        yield return CloseStays(d, [.. segments.Select(s => s.Name)], context.AsOf, touchedOnly: false);
        yield return OpenStays(d, context.AsOf);
        yield return One(sql =>
        {
            var at = sql.Parameter(context.AsOf);
            var values = string.Join(", ", segments.Select(s => $"({sql.Parameter(s.Name)}, {sql.Parameter(s.Version)})"));
            sql.Append(
                $"""
                INSERT INTO {materializations} (segment, version, as_of, materialized_at, size, entered, exited)
                SELECT v.segment, v.version, {at}, {sql.Parameter(now)}, coalesce(z.size, 0), coalesce(m.entered, 0), coalesce(m.exited, 0)
                FROM (VALUES {values}) AS v (segment, version)
                LEFT JOIN (SELECT segment, count(*) AS size FROM {staging} GROUP BY segment) z ON z.segment = v.segment
                LEFT JOIN (
                  SELECT segment, count(*) FILTER (WHERE entered_at = {at}) AS entered, count(*) FILTER (WHERE exited_at = {at}) AS exited
                  FROM {intervals} WHERE entered_at = {at} OR exited_at = {at} GROUP BY segment
                ) m ON m.segment = v.segment
                """);
        });
        yield return One(sql => sql.Append($"DELETE FROM {staging}"));
    }

    /// <summary>
    /// Closes at <paramref name="at"/> the open stays in <paramref name="segments"/> of customers no longer staged — of every
    /// customer (a materialization), or only of those a live update evaluates (<paramref name="touchedOnly"/>).
    /// </summary>
    private static SqlStatement CloseStays(ISqlDialect d, IReadOnlyList<string> segments, DateTime at, bool touchedOnly)
    {
        var intervals = d.QuoteIdentifier(Tables.SegmentIntervals);
        var sql = new SqlBuilder(d);
        sql.Append(
            $"""
            UPDATE {intervals} SET exited_at = {sql.Parameter(at)}
            WHERE segment IN ({sql.ParameterList(segments)}) AND exited_at IS NULL{(touchedOnly ? $" AND customer_id IN (SELECT t.customer_id FROM {d.QuoteIdentifier(Tables.SegmentLiveTouched)} t)" : "")}
              AND NOT EXISTS (SELECT 1 FROM {d.QuoteIdentifier(Tables.SegmentStaging)} s WHERE s.segment = {intervals}.segment AND s.customer_id = {intervals}.customer_id)
            """);
        return sql.Build();
    }

    /// <summary>Opens a stay at <paramref name="at"/> for every staged customer without an open one.</summary>
    private static SqlStatement OpenStays(ISqlDialect d, DateTime at)
    {
        var intervals = d.QuoteIdentifier(Tables.SegmentIntervals);
        var sql = new SqlBuilder(d);
        sql.Append(
            $"""
            INSERT INTO {intervals} (segment, customer_id, entered_at, exited_at)
            SELECT s.segment, s.customer_id, {sql.Parameter(at)}, NULL
            FROM {d.QuoteIdentifier(Tables.SegmentStaging)} s
            WHERE NOT EXISTS (SELECT 1 FROM {intervals} i WHERE i.segment = s.segment AND i.customer_id = s.customer_id AND i.exited_at IS NULL)
            """);
        return sql.Build();
    }

    /// <summary>Stored materializations, newest as-of first (all segments, or one): <c>segment, version, as_of, materialized_at, size, entered, exited</c>.</summary>
    public static SqlStatement History(ISqlDialect d, string? segment)
    {
        var sql = new SqlBuilder(d);
        var name = sql.Parameter(segment);
        sql.Append($"SELECT segment, version, as_of, materialized_at, size, coalesce(entered, 0), coalesce(exited, 0) FROM {d.QuoteIdentifier(Tables.SegmentMaterializations)} WHERE {name} IS NULL OR segment = {name} ORDER BY segment, as_of DESC");
        return sql.Build();
    }

    /// <summary>The customers whose stay in <paramref name="segment"/> covers <paramref name="at"/>, ordered by id (bytes).</summary>
    public static SqlStatement MembersAt(ISqlDialect d, string segment, DateTime at)
    {
        var sql = new SqlBuilder(d);
        var name = sql.Parameter(segment);
        var instant = sql.Parameter(at);
        sql.Append($"SELECT i.customer_id FROM {d.QuoteIdentifier(Tables.SegmentIntervals)} i WHERE i.segment = {name} AND i.entered_at <= {instant} AND (i.exited_at IS NULL OR i.exited_at > {instant}) ORDER BY {d.BinaryOrder("i.customer_id")}");
        return sql.Build();
    }

    /// <summary>
    /// Customers by (state at <paramref name="from"/>, state at <paramref name="to"/>): the state is the position in
    /// <paramref name="family"/> of the first segment that held them then, null when none did: <c>a, b, customers</c>.
    /// </summary>
    public static SqlStatement Migration(ISqlDialect d, IReadOnlyList<string> family, DateTime from, DateTime to)
    {
        var sql = new SqlBuilder(d);
        var rank = "CASE i.segment " + string.Join(" ", family.Select((s, k) => $"WHEN {sql.Parameter(s)} THEN {k.ToString(CultureInfo.InvariantCulture)}")) + " END";
        var names = string.Join(", ", family.Select(s => sql.Parameter(s)));
        var intervals = d.QuoteIdentifier(Tables.SegmentIntervals);
        string States(string at) =>
            $"SELECT i.customer_id, min({rank}) AS r FROM {intervals} i WHERE i.segment IN ({names}) AND i.entered_at <= {at} AND (i.exited_at IS NULL OR i.exited_at > {at}) GROUP BY i.customer_id";
        var a = States(sql.Parameter(from));
        var b = States(sql.Parameter(to));
        sql.Append($"SELECT a.r, b.r, count(*) FROM ({a}) a FULL OUTER JOIN ({b}) b ON b.customer_id = a.customer_id GROUP BY a.r, b.r");
        return sql.Build();
    }

    /// <summary>Every customer, then how many have a value of each of <paramref name="traits"/>.</summary>
    public static SqlStatement TraitCounts(ISqlDialect d, IReadOnlyList<string> traits) =>
        new($"SELECT count(*), {string.Join(", ", traits.Select(t => $"count({d.QuoteIdentifier(t)})"))} FROM {d.QuoteIdentifier(Tables.Customers)}", []);
}
