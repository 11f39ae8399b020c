using System.Globalization;
using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Language;

/// <summary>
/// The SQL of one segment for one dialect and one as-of instant. Each method returns a complete
/// statement with its parameters; <see cref="WriteMembers"/> composes into a larger statement.
/// </summary>
public sealed class SegmentQuery
{
    /// <summary>A customer's net revenue before as-of: the <c>monetary</c> feature, the one definition of revenue (docs/features.md).</summary>
    private static readonly DerivedField Revenue = new(
        Features.FeatureCatalog.FieldSet,
        Features.FeatureCatalog.FieldSet.Fields.Single(f => f.Name == "monetary"));

    private readonly SegmentDefinition segment;
    private readonly ISqlDialect dialect;
    private readonly EvaluationContext context;

    internal SegmentQuery(SegmentDefinition segment, ISqlDialect dialect, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(context);
        this.segment = segment;
        this.dialect = dialect;
        this.context = context;
    }

    /// <summary><c>SELECT customer_id</c> of every member.</summary>
    public SqlStatement Members()
    {
        var sql = new SqlBuilder(dialect);
        WriteMembers(sql);
        return sql.Build();
    }

    /// <summary>Writes the members query into a larger statement (its parameters join the builder's).</summary>
    public void WriteMembers(SqlBuilder sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var writer = new SegmentSqlWriter(context, sql);
        writer.Plan(segment.Condition);
        WriteScope(writer, sql, "SELECT " + writer.Customers + "." + dialect.QuoteIdentifier(CanonicalModel.CustomerId));
        sql.Append("\nWHERE ").Append(writer.Predicate(segment.Condition, negated: false));
    }

    /// <summary>
    /// One row: all customers, their purchase revenue before as-of, the count after each top-level
    /// condition in turn (the last is the segment's size), the members' revenue, and — when
    /// <paramref name="sampleSize"/> &gt; 0 — a list of up to that many member ids in a stable
    /// pseudo-random order (by a hash of the id). One pass computes it all.
    /// </summary>
    public SqlStatement Preview(int sampleSize = 0)
    {
        var sql = new SqlBuilder(dialect);
        var writer = new SegmentSqlWriter(context, sql);
        writer.Plan(segment.Condition);
        writer.Plan(Revenue);
        var revenue = writer.ValueExpression(Revenue, writer.Customers);
        var steps = segment.Steps.Select(s => writer.Predicate(s.Condition, negated: false)).ToList();
        var columns = new List<string> { "count(*)", $"sum({revenue})" };
        for (var i = 0; i < steps.Count; i++)
        {
            columns.Add($"count(*) FILTER (WHERE {string.Join(" AND ", steps.Take(i + 1))})");
        }

        var all = string.Join(" AND ", steps);
        columns.Add($"sum({revenue}) FILTER (WHERE {all})");
        if (sampleSize > 0)
        {
            var id = $"{writer.Customers}.{dialect.QuoteIdentifier(CanonicalModel.CustomerId)}";
            columns.Add(dialect.SmallestBy(id, $"md5({id})", all, sampleSize));
        }

        // A funnel condition's own steps: among those meeting the conditions before it, how many reached step 1, 1–2, …
        for (var i = 0; i < steps.Count; i++)
        {
            if (segment.FunnelTexts.ElementAtOrDefault(i) is null || segment.Steps[i].Condition is not BoundSequence funnel)
            {
                continue;
            }

            foreach (var prefix in FunnelPrefixes(funnel))
            {
                writer.Plan(prefix);
                columns.Add($"count(*) FILTER (WHERE {string.Join(" AND ", [.. steps.Take(i), writer.Predicate(prefix, negated: false)])})");
            }
        }

        // Last: the members who are anonymous visitors (docs/identity.md), so that a count says which.
        var customerId = $"{writer.Customers}.{dialect.QuoteIdentifier(CanonicalModel.CustomerId)}";
        columns.Add($"count(*) FILTER (WHERE {all} AND {customerId} LIKE {sql.Parameter(Identity.Identifier.AnonymousPrefix + "%")})");
        WriteScope(writer, sql, "SELECT " + string.Join(",\n       ", columns));
        return sql.Build();
    }

    /// <summary>Chosen columns of the given customers (computed fields at this query's as-of), in the preview's sample order.</summary>
    public SqlStatement Traits(IReadOnlyList<string> customerIds, IReadOnlyList<TraitColumn> traits)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        ArgumentNullException.ThrowIfNull(traits);
        var sql = new SqlBuilder(dialect);
        var writer = new SegmentSqlWriter(context, sql);
        var id = $"{writer.Customers}.{dialect.QuoteIdentifier(CanonicalModel.CustomerId)}";
        WriteScope(writer, sql, "SELECT " + Columns(writer, traits));
        sql.Append($"\nWHERE {id} IN (")
            .Append(sql.ParameterList(customerIds))
            .Append($")\nORDER BY md5({id})");
        return sql.Build();
    }

    /// <summary>
    /// The conditions "reached step k" of a funnel, k = 1 … n: an event of the first step in the window, then the funnel cut after
    /// step k (its own gaps, and the whole funnel's span); the last is the funnel itself.
    /// </summary>
    internal static IReadOnlyList<BoundCondition> FunnelPrefixes(BoundSequence funnel)
    {
        var first = new BoundTest(new Aggregate(AggregateKind.Count, funnel.Steps[0], null, funnel.Window, FieldType.Integer), TestOp.Greater, [0L], null);
        return [first, .. Enumerable.Range(2, funnel.Steps.Count - 1).Select(k => k == funnel.Steps.Count
            ? funnel
            : new BoundSequence([.. funnel.Steps.Take(k)], [.. funnel.Gaps.Take(k)], funnel.Within, funnel.Window))];
    }

    /// <summary>Every member with chosen columns (computed fields at this query's as-of), ordered by customer id.</summary>
    public SqlStatement Export(IReadOnlyList<TraitColumn> traits)
    {
        ArgumentNullException.ThrowIfNull(traits);
        var sql = new SqlBuilder(dialect);
        var writer = new SegmentSqlWriter(context, sql);
        writer.Plan(segment.Condition);
        WriteScope(writer, sql, "SELECT " + Columns(writer, traits));
        sql.Append("\nWHERE ").Append(writer.Predicate(segment.Condition, negated: false))
            .Append($"\nORDER BY {writer.Customers}.{dialect.QuoteIdentifier(CanonicalModel.CustomerId)}");
        return sql.Build();
    }

    /// <summary>
    /// <c>customer_id</c>, then <paramref name="after"/> when given, then each column once as <see cref="OutputColumns"/>
    /// names them; computed fields are planned into <paramref name="writer"/>'s scope (call before it writes its FROM).
    /// </summary>
    internal static string Columns(SegmentSqlWriter writer, IReadOnlyList<TraitColumn> traits, string? after = null)
    {
        var columns = Distinct(traits).ToList();
        foreach (var column in columns)
        {
            writer.Plan(column.Value);
        }

        return string.Join(", ", [
            $"{writer.Customers}.{writer.Quote(CanonicalModel.CustomerId)}",
            .. after is null ? [] : new[] { after },
            .. columns.Select(c => $"{writer.ValueExpression(c.Value, writer.Customers)} AS {writer.Quote(c.Name)}")]);
    }

    /// <summary>The columns of sample and export rows, in order: <c>customer_id</c>, then each trait once.</summary>
    public static IReadOnlyList<string> OutputColumns(IReadOnlyList<TraitColumn> traits)
    {
        ArgumentNullException.ThrowIfNull(traits);
        return [CanonicalModel.CustomerId, .. Distinct(traits).Select(t => t.Name)];
    }

    private static IEnumerable<TraitColumn> Distinct(IReadOnlyList<TraitColumn> traits) =>
        traits.Where(t => t.Name != CanonicalModel.CustomerId).DistinctBy(t => t.Name, StringComparer.Ordinal);

    private static void WriteScope(SegmentSqlWriter writer, SqlBuilder sql, string select)
    {
        writer.WriteWith();
        sql.Append(select).Append("\n");
        writer.WriteFrom("");
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{segment.Name} as of {context.AsOf:O} ({dialect.Name})");
}
