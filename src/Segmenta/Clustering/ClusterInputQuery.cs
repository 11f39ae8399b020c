using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Clustering;

/// <summary>A clustering request names an input that is not there, or not of a usable type.</summary>
public sealed class ClusterSetupException(string message) : SegmentaException(message, FailureKind.BadInput);

/// <summary>
/// Where an input's values come from: a computed catalog feature, or a column of <c>customers</c>
/// (the demographic traits and any trait a mapping declared, such as Mall's <c>spending_score</c>).
/// </summary>
/// <param name="Name">The input.</param>
/// <param name="Type">Its type.</param>
/// <param name="Computed">True for a feature computed from events (not a customer column).</param>
/// <param name="Unit">The catalog's unit, or null for a declared column.</param>
internal sealed record InputColumn(string Name, FieldType Type, bool Computed, string? Unit)
{
    /// <summary>Money and counts: the inputs <see cref="ClusterRequest.AutoLog"/> may log.</summary>
    public bool MoneyOrCount => Unit is "currency" or "currency per year" or "orders" or "events" or "e-mails" or "sessions" or "seconds" or "days";
}

/// <summary>
/// The raw per-customer inputs of a clustering, as one query at an as-of instant: catalog features
/// through <see cref="FeatureSql"/>, customer columns directly; numbers as doubles, categories as text,
/// one row per customer in customer-id byte order (so a seed sees the same rows in the same order).
/// </summary>
internal static class ClusterInputQuery
{
    /// <summary>Resolves input names against the catalog and the warehouse's customer columns.</summary>
    public static IReadOnlyList<InputColumn> Resolve(IEnumerable<string> names, IReadOnlyList<FieldDefinition> customerColumns, bool numeric)
    {
        var result = new List<InputColumn>();
        foreach (var name in names)
        {
            InputColumn column;
            if (FeatureCatalog.Find(name) is { } feature)
            {
                column = new InputColumn(name, feature.Type, !feature.Trait, feature.Unit);
            }
            else if (customerColumns.FirstOrDefault(c => c.Name == name) is { } trait)
            {
                column = new InputColumn(name, trait.Type, false, null);
            }
            else
            {
                var known = FeatureCatalog.All.Select(f => f.Name).Concat(customerColumns.Select(c => c.Name)).Distinct(StringComparer.Ordinal);
                throw new ClusterSetupException($"unknown input `{name}`{Suggestions.DidYouMean(name, known)}: give a feature (segmenta features --list) or a customer column");
            }

            var usable = numeric ? column.Type is FieldType.Integer or FieldType.Number : column.Type is FieldType.Text or FieldType.Boolean;
            if (!usable)
            {
                throw new ClusterSetupException(numeric
                    ? $"`{name}` is {FieldTypes.Name(column.Type)}, not a number; cluster on numbers, or give text traits as categorical inputs"
                    : $"`{name}` is {FieldTypes.Name(column.Type)}; categorical inputs are text or boolean traits (numbers are numeric inputs)");
            }

            result.Add(column);
        }

        return result;
    }

    /// <summary>Reads every customer's inputs.</summary>
    public static ClusterInputs Read(IWarehouse warehouse, EvaluationContext context, IReadOnlyList<InputColumn> numeric, IReadOnlyList<InputColumn> categorical) =>
        Read(warehouse, context, numeric, categorical, expectedRows: null);

    /// <summary>
    /// Reads every customer's inputs into arrays of <paramref name="expectedRows"/> (null: the customers' count, as the
    /// query gives one row each), so 10M customers cost their values and nothing more: no lists' spare capacity and no
    /// copy from lists into arrays (about 1.5 GB at 10M customers and 5 inputs). More rows than expected (a customer
    /// stored between the count and the read) grow them; fewer trim them.
    /// </summary>
    internal static ClusterInputs Read(IWarehouse warehouse, EvaluationContext context, IReadOnlyList<InputColumn> numeric, IReadOnlyList<InputColumn> categorical, long? expectedRows)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(numeric);
        ArgumentNullException.ThrowIfNull(categorical);
        var expected = expectedRows ?? 0;
        if (expectedRows is null)
        {
            warehouse.Read(ClusterSql.CustomerCount(warehouse.Dialect), r => expected = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        }

        var capacity = (int)Math.Min(expected, Array.MaxLength);
        var customers = new string[capacity];
        var numbers = numeric.Select(_ => new double?[capacity]).ToArray();
        var texts = categorical.Select(_ => new string?[capacity]).ToArray();
        var n = 0;
        void Resize(int length)
        {
            Array.Resize(ref customers, length);
            for (var i = 0; i < numbers.Length; i++)
            {
                Array.Resize(ref numbers[i], length);
            }

            for (var i = 0; i < texts.Length; i++)
            {
                Array.Resize(ref texts[i], length);
            }
        }

        warehouse.Read(ClusterSql.InputsByCustomer(warehouse.Dialect, context, numeric, categorical), r =>
        {
            if (n == customers.Length)
            {
                Resize((int)Math.Min(Math.Max(16L, n + (n / 2L)), Array.MaxLength));
            }

            customers[n] = r.GetString(0);
            for (var i = 0; i < numbers.Length; i++)
            {
                numbers[i][n] = r.IsDBNull(1 + i) ? null : r.GetDouble(1 + i);
            }

            for (var i = 0; i < texts.Length; i++)
            {
                texts[i][n] = r.IsDBNull(1 + numbers.Length + i) ? null : r.GetString(1 + numbers.Length + i);
            }

            n++;
        });
        if (n != customers.Length)
        {
            Resize(n);
        }

        var numericValues = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        for (var i = 0; i < numeric.Count; i++)
        {
            numericValues[numeric[i].Name] = numbers[i];
        }

        var categoricalValues = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        for (var i = 0; i < categorical.Count; i++)
        {
            categoricalValues[categorical[i].Name] = texts[i];
        }

        return new ClusterInputs(customers, numericValues, categoricalValues);
    }

    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);
}
