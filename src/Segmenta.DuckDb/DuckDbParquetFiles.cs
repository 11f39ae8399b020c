using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Segmenta.Files;
using Segmenta.Ingestion;
using Segmenta.Sql;

namespace Segmenta.DuckDb;

/// <summary>Parquet files through DuckDB's reader and writer: the one implementation of <see cref="IParquetFiles"/>, used whatever the warehouse.</summary>
public sealed class DuckDbParquetFiles : IParquetFiles
{
    private DuckDbParquetFiles()
    {
    }

    /// <summary>The one instance (it holds no state).</summary>
    public static DuckDbParquetFiles Instance { get; } = new();

    /// <inheritdoc />
    public IRecordSource Open(string path) => DuckDbParquetSource.Open(path);

    /// <summary>Converts a CSV file with a header to Parquet (types detected by DuckDB, zstd-compressed).</summary>
    public void FromCsv(string csvPath, string parquetPath)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        ArgumentNullException.ThrowIfNull(parquetPath);
        using var connection = DuckDbWarehouse.OpenInMemory();
        using var command = connection.CreateCommand();
        // COPY takes its target as a literal, not a parameter: paths become literals only through StringLiteral.
        command.CommandText = DuckDbSql.CsvToParquet(csvPath, parquetPath);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Writes the rows of another database's query to Parquet (how a server warehouse exports): the rows
    /// stream into an in-memory DuckDB table, typed from the reader's schema, then DuckDB writes the file.
    /// Returns the rows written.
    /// </summary>
    public long Write(DbDataReader reader, string parquetPath)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(parquetPath);
        var schema = reader.GetColumnSchema();
        using var connection = DuckDbWarehouse.OpenInMemory();
        var types = schema.Select(DuckType).ToArray();
        var columns = schema.Select((c, i) => $"{DuckDbWarehouse.Quote(c.ColumnName)} {types[i]}");
        Execute(connection, DuckDbSql.CreateTable("export", columns));
        long rows = 0;
        using (var appender = connection.CreateAppender("export"))
        {
            while (reader.Read())
            {
                var row = appender.CreateRow();
                for (var i = 0; i < schema.Count; i++)
                {
                    _ = reader.IsDBNull(i) ? row.AppendNullValue() : reader.GetValue(i) switch
                    {
                        string s => row.AppendValue(s),
                        long l => row.AppendValue((long?)l),
                        int n => row.AppendValue((long?)n),
                        decimal d => row.AppendValue((decimal?)d),
                        double d => row.AppendValue((double?)d),
                        bool b => row.AppendValue((bool?)b),
                        DateOnly d => row.AppendValue((DateOnly?)d),
                        DateTime t when types[i] == "DATE" => row.AppendValue((DateOnly?)DateOnly.FromDateTime(t)),
                        DateTime t => row.AppendValue((DateTime?)t),
                        var other => row.AppendValue(Convert.ToString(other, CultureInfo.InvariantCulture)),
                    };
                }

                row.EndRow();
                rows++;
            }
        }

        Execute(connection, DuckDbSql.CopyToParquet(DuckDbSql.All("export"), parquetPath));
        return rows;
    }

    private static string DuckType(DbColumn column) => column.DataType switch
    {
        _ when column.DataTypeName == "date" => "DATE",
        var t when t == typeof(long) || t == typeof(int) || t == typeof(short) => "BIGINT",
        var t when t == typeof(decimal) => column.NumericPrecision is > 0 and <= 38 && column.NumericScale is >= 0 and var scale
            ? $"DECIMAL({column.NumericPrecision.Value.ToString(CultureInfo.InvariantCulture)},{scale.ToString(CultureInfo.InvariantCulture)})"
            : "DECIMAL(38,10)",
        var t when t == typeof(double) || t == typeof(float) => "DOUBLE",
        var t when t == typeof(bool) => "BOOLEAN",
        var t when t == typeof(DateOnly) => "DATE",
        var t when t == typeof(DateTime) => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
