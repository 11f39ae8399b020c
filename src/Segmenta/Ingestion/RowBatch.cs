using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>
/// A block of converted rows in columnar form, handed from the parsing thread to the warehouse
/// loader, with the rows that were set aside on the way. Column i holds a typed array:
/// string?[] (text), long?[] (integer), decimal?[] (number), bool?[] (boolean), DateOnly?[] (date),
/// DateTime?[] (timestamp, UTC).
/// </summary>
public sealed class RowBatch
{
    private readonly Array[] vectors;

    /// <summary>Creates an empty batch.</summary>
    public RowBatch(IReadOnlyList<FieldDefinition> columns, int capacity)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        Capacity = capacity;
        Lines = new long[capacity];
        vectors = columns.Select(c => (Array)(c.Type switch
        {
            FieldType.Text => new string?[capacity],
            FieldType.Integer => new long?[capacity],
            FieldType.Number => new decimal?[capacity],
            FieldType.Boolean => new bool?[capacity],
            FieldType.Date => new DateOnly?[capacity],
            _ => new DateTime?[capacity],
        })).ToArray();
    }

    /// <summary>The columns, in load order.</summary>
    public IReadOnlyList<FieldDefinition> Columns { get; }

    /// <summary>Rows held.</summary>
    public int Count { get; internal set; }

    /// <summary>Rows the batch can hold.</summary>
    public int Capacity { get; }

    /// <summary>True when no more rows fit.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>The source line of each row.</summary>
    internal long[] Lines { get; }

    /// <summary>Rows set aside while this batch was filled.</summary>
    public List<QuarantinedRow> Quarantined { get; } = [];

    /// <summary>Rows skipped as exact repeats while this batch was filled.</summary>
    public long Duplicates { get; internal set; }

    /// <summary>Records the mapping's <c>where</c> did not select while this batch was filled.</summary>
    public long Skipped { get; internal set; }

    /// <summary>Records of erased customers dropped while this batch was filled (their identifiers are suppressed).</summary>
    public long Suppressed { get; internal set; }

    /// <summary>Records read from the source while this batch was filled.</summary>
    public long Read { get; internal set; }

    /// <summary>Column <paramref name="column"/> as the typed array it is (see the class summary), for a loader that takes columns whole.</summary>
    public Array Values(int column) => vectors[column];

    /// <summary>Text column <paramref name="column"/>.</summary>
    public string?[] Text(int column) => (string?[])vectors[column];

    /// <summary>Integer column <paramref name="column"/>.</summary>
    public long?[] Integers(int column) => (long?[])vectors[column];

    /// <summary>Number column <paramref name="column"/>.</summary>
    public decimal?[] Numbers(int column) => (decimal?[])vectors[column];

    /// <summary>Boolean column <paramref name="column"/>.</summary>
    public bool?[] Booleans(int column) => (bool?[])vectors[column];

    /// <summary>Date column <paramref name="column"/>.</summary>
    public DateOnly?[] Dates(int column) => (DateOnly?[])vectors[column];

    /// <summary>Timestamp column <paramref name="column"/> (UTC).</summary>
    public DateTime?[] Timestamps(int column) => (DateTime?[])vectors[column];

    /// <summary>Clears row <paramref name="row"/> in every column (rows are written column by column and may be abandoned halfway).</summary>
    internal void ClearRow(int row)
    {
        foreach (var v in vectors)
        {
            Array.Clear(v, row, 1);
        }
    }
}

/// <summary>A source record that was not loaded, and why.</summary>
/// <param name="Line">Its line (or row) number in the source.</param>
/// <param name="Reason">Why it was set aside.</param>
/// <param name="Raw">The record as it stood in the source (a NUL or unpaired surrogate escaped as <c>\uXXXX</c>, which no warehouse stores).</param>
public sealed record QuarantinedRow(long Line, string Reason, string Raw)
{
    /// <summary>Why it was set aside.</summary>
    public string Reason { get; init; } = StoredText.Escape(Reason);

    /// <summary>The record as it stood in the source.</summary>
    public string Raw { get; init; } = StoredText.Escape(Raw);
}
