using DuckDB.NET.Data;

namespace Segmenta.DuckDb;

/// <summary>Writes Parquet files through DuckDB's writer.</summary>
public static class DuckDbParquet
{
    /// <summary>Converts a CSV file with a header to Parquet (types detected by DuckDB, zstd-compressed).</summary>
    public static void FromCsv(string csvPath, string parquetPath)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        ArgumentNullException.ThrowIfNull(parquetPath);
        using var connection = DuckDbWarehouse.OpenInMemory();
        using var command = connection.CreateCommand();
        // COPY takes its target as a literal, not a parameter: paths become literals only through Literal.
        command.CommandText = $"COPY (SELECT * FROM read_csv({Literal(csvPath)}, header = true)) TO {Literal(parquetPath)} (FORMAT parquet, COMPRESSION zstd)";
        command.ExecuteNonQuery();
    }

    internal static string Literal(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";
}
