using System.Data.Common;
using Segmenta.Ingestion;

namespace Segmenta.Files;

/// <summary>
/// Apache Parquet files, read and written: the one door through which every part of Segmenta touches Parquet
/// (ingest reads it, exports and the generator write it), so a warehouse that is no Parquet engine itself
/// (PostgreSQL) does not depend on the one that is. The adapter that implements it is chosen by the host.
/// </summary>
public interface IParquetFiles
{
    /// <summary>Opens a Parquet file as records of text fields; a row's "line" is its 1-based row number.</summary>
    IRecordSource Open(string path);

    /// <summary>Writes the rows of a query's reader to a Parquet file (zstd) and returns the rows written.</summary>
    long Write(DbDataReader reader, string parquetPath);

    /// <summary>Converts a CSV file with a header to Parquet (types detected from the data, zstd).</summary>
    void FromCsv(string csvPath, string parquetPath);
}
