namespace Segmenta.Ingestion;

/// <summary>
/// A forward-only reader of source records (a CSV line, a JSON object, a Parquet row), each a list of
/// named text fields. Values are spans that stay valid until the next <see cref="Read"/>.
/// </summary>
public interface IRecordSource : IDisposable
{
    /// <summary>The source's name in messages and quarantine (its path).</summary>
    string Name { get; }

    /// <summary>The source's column names.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>Advances to the next record; false at the end.</summary>
    bool Read();

    /// <summary>The 1-based line (or row) number at which the current record starts.</summary>
    long Line { get; }

    /// <summary>Why the current record cannot be read as fields (wrong field count, bad JSON), or null.</summary>
    string? RecordError { get; }

    /// <summary>True when field <paramref name="ordinal"/> holds no value in the current record.</summary>
    bool IsNull(int ordinal);

    /// <summary>The text of field <paramref name="ordinal"/> in the current record.</summary>
    ReadOnlySpan<char> Value(int ordinal);

    /// <summary>The current record as it stands in the source, for quarantine.</summary>
    string RawRecord();

    /// <summary>How far through the source the reader is, for progress, in <see cref="Length"/>'s unit.</summary>
    long Position { get; }

    /// <summary>The source's size, for progress (bytes for files).</summary>
    long Length { get; }
}
