using System.Globalization;
using DuckDB.NET.Data;
using Segmenta.Ingestion;

namespace Segmenta.DuckDb;

/// <summary>Reads a Parquet file through DuckDB's reader, as text fields; the "line" of a row is its 1-based row number.</summary>
public sealed class DuckDbParquetSource : IRecordSource
{
    private readonly DuckDBConnection connection;
    private readonly DuckDBCommand command;
    private readonly DuckDBDataReader reader;
    private readonly string?[] values;
    private readonly long rows;

    private DuckDbParquetSource(string path)
    {
        Name = path;
        connection = DuckDbWarehouse.OpenInMemory();
        try
        {
            using (var count = connection.CreateCommand())
            {
                count.CommandText = DuckDbSql.CountParquet;
                count.Parameters.Add(new DuckDBParameter(path));
                rows = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            command = connection.CreateCommand();
            command.CommandText = DuckDbSql.ReadParquet;
            command.Parameters.Add(new DuckDBParameter(path));
            reader = (DuckDBDataReader)command.ExecuteReader();
        }
        catch (DuckDBException e)
        {
            connection.Dispose();
            throw new IngestSetupException($"{path}: not a readable Parquet file ({e.Message})");
        }

        Columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        values = new string?[Columns.Count];
    }

    /// <summary>Opens a Parquet file.</summary>
    public static IRecordSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return File.Exists(path) ? new DuckDbParquetSource(path) : throw new IngestSetupException($"{path}: no such file");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Columns { get; }

    /// <inheritdoc />
    public long Line { get; private set; }

    /// <inheritdoc />
    public string? RecordError => null;

    /// <inheritdoc />
    public long Position => Line;

    /// <inheritdoc />
    public long Length => rows;

    /// <inheritdoc />
    public bool Read()
    {
        if (!reader.Read())
        {
            return false;
        }

        Line++;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
            {
                DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
                DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => v.ToString(),
            };
        }

        return true;
    }

    /// <inheritdoc />
    public bool IsNull(int ordinal) => values[ordinal] is null;

    /// <inheritdoc />
    public ReadOnlySpan<char> Value(int ordinal) => values[ordinal];

    /// <inheritdoc />
    public string RawRecord() => string.Join(",", values.Select(v => v is null ? "" : "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    /// <inheritdoc />
    public void Dispose()
    {
        reader.Dispose();
        command.Dispose();
        connection.Dispose();
    }
}
