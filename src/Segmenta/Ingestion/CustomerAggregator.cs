using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>
/// Combines many converted records per customer (a customers mapping over an event file) into one row each, by
/// the rule each field states (<see cref="RowAggregate"/>). Records arrive in source order, so first, last and the
/// tie rule of most_frequent follow the file; customers come out in the order they were first seen.
/// </summary>
internal sealed class CustomerAggregator
{
    private readonly IReadOnlyList<FieldDefinition> input;
    private readonly IReadOnlyList<FieldDefinition> output;
    private readonly RowAggregate?[] rules;
    private readonly int idColumn;
    private readonly Dictionary<string, Accumulator[]> customers = new(StringComparer.Ordinal);
    private readonly List<(string Id, long Line)> order = [];

    public CustomerAggregator(IngestMapping mapping, IReadOnlyList<FieldDefinition> input, IReadOnlyList<FieldDefinition> output)
    {
        this.input = input;
        this.output = output;
        rules = [.. input.Select(c => mapping.Fields.FirstOrDefault(f => f.Target == c.Name)?.Aggregate)];
        idColumn = input.ToList().FindIndex(c => c.Name == CanonicalModel.CustomerId);
    }

    /// <summary>Adds every row of a converted batch.</summary>
    public void Add(RowBatch batch)
    {
        var ids = batch.Text(idColumn);
        for (var r = 0; r < batch.Count; r++)
        {
            var id = ids[r]!;
            if (!customers.TryGetValue(id, out var accumulators))
            {
                customers[id] = accumulators = [.. rules.Select(rule => new Accumulator(rule))];
                order.Add((id, batch.Lines[r]));
            }

            for (var c = 0; c < input.Count; c++)
            {
                if (c != idColumn)
                {
                    accumulators[c].Add(Value(batch, c, r));
                }
            }
        }
    }

    /// <summary>One row per customer, in batches of <paramref name="size"/>.</summary>
    public IEnumerable<RowBatch> Batches(int size)
    {
        var batch = new RowBatch(output, size);
        foreach (var (id, line) in order)
        {
            var accumulators = customers[id];
            var r = batch.Count;
            for (var c = 0; c < output.Count; c++)
            {
                Set(batch, c, r, c == idColumn ? id : accumulators[c].Result);
            }

            batch.Lines[r] = line;
            batch.Count++;
            if (batch.IsFull)
            {
                yield return batch;
                batch = new RowBatch(output, size);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private object? Value(RowBatch batch, int c, int r) => input[c].Type switch
    {
        FieldType.Text => batch.Text(c)[r],
        FieldType.Integer => batch.Integers(c)[r],
        FieldType.Number => batch.Numbers(c)[r],
        FieldType.Boolean => batch.Booleans(c)[r],
        FieldType.Date => batch.Dates(c)[r],
        _ => batch.Timestamps(c)[r],
    };

    private void Set(RowBatch batch, int c, int r, object? value)
    {
        switch (output[c].Type)
        {
            case FieldType.Text: batch.Text(c)[r] = (string?)value; break;
            case FieldType.Integer: batch.Integers(c)[r] = value is null ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case FieldType.Number: batch.Numbers(c)[r] = (decimal?)value; break;
            case FieldType.Boolean: batch.Booleans(c)[r] = (bool?)value; break;
            case FieldType.Date: batch.Dates(c)[r] = (DateOnly?)value; break;
            default: batch.Timestamps(c)[r] = (DateTime?)value; break;
        }
    }

    /// <summary>One field of one customer: what its rule needs to remember.</summary>
    private sealed class Accumulator(RowAggregate? rule)
    {
        private object? value;
        private long count;
        private Dictionary<object, (long Count, long Seen)>? frequencies;

        public object? Result => rule switch
        {
            RowAggregate.Count => count,
            RowAggregate.MostFrequent => frequencies?.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Value.Seen).First().Key,
            _ => value,
        };

        /// <summary>Text in ordinal order (never the current culture's), everything else by its own comparison.</summary>
        private static int Compare(object a, object b) =>
            a is string x && b is string y ? string.CompareOrdinal(x, y) : Comparer<object>.Default.Compare(a, b);

        public void Add(object? item)
        {
            if (item is null)
            {
                return;
            }

            count++;
            switch (rule)
            {
                case RowAggregate.First:
                    value ??= item;
                    break;
                case RowAggregate.Last:
                    value = item;
                    break;
                case RowAggregate.Min:
                    value = value is null || Compare(item, value) < 0 ? item : value;
                    break;
                case RowAggregate.Max:
                    value = value is null || Compare(item, value) > 0 ? item : value;
                    break;
                case RowAggregate.Sum:
                    value = item is long l ? (value is long v ? v + l : l) : (value is decimal d ? d : 0m) + (decimal)item;
                    break;
                case RowAggregate.MostFrequent:
                    frequencies ??= [];
                    frequencies[item] = frequencies.TryGetValue(item, out var seen) ? (seen.Count + 1, seen.Seen) : (1, count);
                    break;
                default:
                    break;
            }
        }
    }
}
