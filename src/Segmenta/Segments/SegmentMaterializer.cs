using Segmenta.Language;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>One stored membership of a segment.</summary>
/// <param name="Segment">The segment's name.</param>
/// <param name="Version">The definition's version (a hash of its text).</param>
/// <param name="AsOf">The instant membership was evaluated at.</param>
/// <param name="MaterializedAt">When it was stored.</param>
/// <param name="Size">Members.</param>
public sealed record Materialization(string Segment, string Version, DateTime AsOf, DateTime MaterializedAt, long Size);

/// <summary>
/// Stores segment memberships: for each segment, its definition (by version) and its members at one
/// as-of instant, in one transaction. Materializing again at the same as-of replaces what was stored.
/// </summary>
public static class SegmentMaterializer
{
    /// <summary>Materializes <paramref name="segments"/> (in dependency order) and returns what was stored.</summary>
    public static IReadOnlyList<Materialization> Materialize(
        IWarehouse warehouse,
        IReadOnlyList<SegmentDefinition> segments,
        EvaluationContext context,
        DateTime now,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(context);
        var statements = new List<SqlStatement>();
        foreach (var segment in segments)
        {
            statements.AddRange(Statements(warehouse.Dialect, segment, context, now));
        }

        warehouse.ExecuteInTransaction(statements, cancellation);
        var stored = History(warehouse, null).Where(m => m.AsOf == context.AsOf).ToDictionary(m => m.Segment, StringComparer.Ordinal);
        return segments.Select(s => stored[s.Name]).ToList();
    }

    private static IEnumerable<SqlStatement> Statements(ISqlDialect dialect, SegmentDefinition segment, EvaluationContext context, DateTime now)
    {
        SqlStatement One(Action<SqlBuilder> write)
        {
            var sql = new SqlBuilder(dialect);
            write(sql);
            return sql.Build();
        }

        yield return One(sql => sql.Append(
            $"""
            INSERT INTO segment_definitions (name, version, title, description, source_file, definition, created_at)
            SELECT {sql.Parameter(segment.Name)}, {sql.Parameter(segment.Version)}, {sql.Parameter(segment.Title)}, {sql.Parameter(segment.Description)}, {sql.Parameter(segment.File)}, {sql.Parameter(segment.Text)}, {sql.Parameter(now)}
            WHERE NOT EXISTS (SELECT 1 FROM segment_definitions WHERE name = {sql.Parameter(segment.Name)} AND version = {sql.Parameter(segment.Version)})
            """));
        yield return One(sql => sql.Append($"DELETE FROM segment_memberships WHERE segment = {sql.Parameter(segment.Name)} AND as_of = {sql.Parameter(context.AsOf)}"));
        yield return One(sql => sql.Append($"DELETE FROM segment_materializations WHERE segment = {sql.Parameter(segment.Name)} AND as_of = {sql.Parameter(context.AsOf)}"));
        yield return One(sql =>
        {
            sql.Append($"INSERT INTO segment_memberships (segment, version, as_of, customer_id)\nSELECT {sql.Parameter(segment.Name)}, {sql.Parameter(segment.Version)}, {sql.Parameter(context.AsOf)}, m.customer_id\nFROM (\n");
            segment.Query(dialect, context).WriteMembers(sql);
            sql.Append("\n) m");
        });
        yield return One(sql => sql.Append(
            $"""
            INSERT INTO segment_materializations (segment, version, as_of, materialized_at, size)
            SELECT {sql.Parameter(segment.Name)}, {sql.Parameter(segment.Version)}, {sql.Parameter(context.AsOf)}, {sql.Parameter(now)}, count(*)
            FROM segment_memberships WHERE segment = {sql.Parameter(segment.Name)} AND as_of = {sql.Parameter(context.AsOf)}
            """));
    }

    /// <summary>Stored materializations, newest as-of first (all segments, or one).</summary>
    public static IReadOnlyList<Materialization> History(IWarehouse warehouse, string? segment)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var sql = new SqlBuilder(warehouse.Dialect);
        var name = sql.Parameter(segment);
        sql.Append($"SELECT segment, version, as_of, materialized_at, size FROM segment_materializations WHERE {name} IS NULL OR segment = {name} ORDER BY segment, as_of DESC");
        var result = new List<Materialization>();
        warehouse.Read(sql.Build(), r => result.Add(new Materialization(
            r.GetString(0),
            r.GetString(1),
            DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc),
            DateTime.SpecifyKind(r.GetDateTime(3), DateTimeKind.Utc),
            r.GetInt64(4))));
        return result;
    }

    /// <summary>The stored members of a segment at one as-of instant, ordered by id.</summary>
    public static IReadOnlyList<string> Members(IWarehouse warehouse, string segment, DateTime asOf)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var sql = new SqlBuilder(warehouse.Dialect);
        sql.Append($"SELECT customer_id FROM segment_memberships WHERE segment = {sql.Parameter(segment)} AND as_of = {sql.Parameter(asOf)} ORDER BY customer_id");
        var result = new List<string>();
        warehouse.Read(sql.Build(), r => result.Add(r.GetString(0)));
        return result;
    }
}
