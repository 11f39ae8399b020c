using System.Data;
using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.DuckDb;

/// <summary>
/// The embedded warehouse: one DuckDB file. Opening it creates or upgrades the schema. One process
/// writes a DuckDB file at a time; DuckDB itself refuses a second writer.
/// </summary>
public sealed class DuckDbWarehouse : IWarehouse
{
    private readonly DuckDBConnection connection;
    private static readonly DuckDbDialect Dialect = DuckDbDialect.Instance;

    /// <summary>The files this process has open, with their connections (see <see cref="DuckDbLog.DiscardUnfinishedCommit"/>).</summary>
    private static readonly Dictionary<string, int> OpenHere = new(StringComparer.Ordinal);
    private static readonly Lock Instances = new();
    private int disposed;

    /// <summary>A connection to a file (counted in <see cref="OpenHere"/> by whoever opened it) and the warehouse over it.</summary>
    private DuckDbWarehouse(string path, DuckDBConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Description => "duckdb " + Path;

    /// <inheritdoc />
    public int SchemaVersion { get; private set; }

    internal DuckDBConnection Connection => connection;

    /// <summary>
    /// Opens (creating if needed) the file at <paramref name="path"/> and brings its schema up to <paramref name="upToVersion"/>
    /// (default: the latest); <paramref name="memoryLimit"/> caps DuckDB's memory (<see cref="WarehouseSettings.MemoryLimit"/>).
    /// </summary>
    public static DuckDbWarehouse Open(string path, int? upToVersion = null, string? memoryLimit = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (memoryLimit is not null && !WarehouseSettings.IsMemorySize(memoryLimit))
        {
            throw new ArgumentException($"not a memory size: {memoryLimit}", nameof(memoryLimit));
        }

        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        DuckDBConnection connection;
        lock (Instances)
        {
            // A log at the open of the first instance of this process: a process before it did not close the file (a kill,
            // a crash). Not when this process has it open already: then the log is that instance's own, live.
            var interrupted = !OpenHere.ContainsKey(full) && File.Exists(full + ".wal");
            if (interrupted)
            {
                DuckDbLog.DiscardUnfinishedCommit(full);
            }

            connection = new DuckDBConnection("Data Source=" + full);
            try
            {
                connection.Open();
                if (interrupted)
                {
                    CheckpointReplayedLog(connection);
                }

                if (memoryLimit is not null)
                {
                    // The whole database instance's budget (every connection of the process shares it); checked above, so a literal.
                    using var limit = connection.CreateCommand();
                    limit.CommandText = $"SET memory_limit = '{memoryLimit}'";
                    limit.ExecuteNonQuery();
                }
            }
            catch (DuckDBException e)
            {
                connection.Dispose();
                throw new WarehouseException($"cannot open {full}: {e.Message}");
            }

            OpenHere[full] = OpenHere.GetValueOrDefault(full) + 1;
        }

        var warehouse = new DuckDbWarehouse(full, connection);
        try
        {
            warehouse.Migrate(upToVersion ?? WarehouseSchema.LatestVersion);
        }
        catch
        {
            warehouse.Dispose();
            throw;
        }

        return warehouse;
    }

    /// <summary>
    /// Writes what DuckDB replayed from the log of a process that did not close the file (a kill, a crash) into the file
    /// and ends that log, before this process writes anything. DuckDB 1.5 replays a log torn in the middle of a commit in
    /// part (the row groups a large append wrote ahead of the commit, not the rest of its transaction), keeps that torn
    /// log, and appends this process's commits after it: at the next open the whole is replayed again (seen: a re-run's
    /// ingest deleted the torn events and loaded the file, and the next open held both copies, 3M events; after a process
    /// that did not close the file, none at all). A <c>CHECKPOINT</c> alone leaves such a log in place; one after a write of its own ends it. What the torn commit left
    /// is then ordinary rows, which the next ingest discards (<see cref="DuckDbSql.DeleteUnrecordedRuns"/>). What
    /// <see cref="DuckDbLog.DiscardUnfinishedCommit"/> leaves of a log needs none of this; a log it could not read (another
    /// DuckDB version, a system other than Linux) does.
    /// </summary>
    private static void CheckpointReplayedLog(DuckDBConnection connection)
    {
        foreach (var statement in DuckDbSql.CheckpointAfterOwnWrite())
        {
            using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Opens a private in-memory DuckDB (Parquet reading, tests).</summary>
    internal static DuckDBConnection OpenInMemory()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }

    private void Migrate(int target)
    {
        Execute(WarehouseSql.CreateSchemaVersions(Dialect));
        SchemaVersion = Convert.ToInt32(Scalar(WarehouseSql.SchemaVersion(Dialect)), CultureInfo.InvariantCulture);
        if (SchemaVersion > WarehouseSchema.LatestVersion)
        {
            throw new WarehouseException($"{Path} has schema version {SchemaVersion}, newer than this Segmenta knows ({WarehouseSchema.LatestVersion}); upgrade Segmenta");
        }

        foreach (var migration in WarehouseSchema.Migrations.Where(m => m.Version > SchemaVersion && m.Version <= target))
        {
            Execute("BEGIN TRANSACTION");
            try
            {
                foreach (var statement in migration.Statements(Dialect))
                {
                    Execute(statement);
                }

                Execute(WarehouseSql.RecordSchemaVersion(Dialect), migration.Version, migration.Description);
                Execute("COMMIT");
            }
            catch
            {
                TryRollback();
                throw;
            }

            SchemaVersion = migration.Version;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<FieldDefinition> Columns(TableKind table)
    {
        return TableColumns(CanonicalModel.TableName(table))
            .Where(c => c.Name != WarehouseSchema.IngestRunColumn)
            .Select(c => CanonicalModel.Find(table, c.Name) ?? new FieldDefinition(c.Name, TypeOf(c.Type), Declared: true))
            .ToList();
    }

    /// <summary>A table's columns and DuckDB types, in table order (the order the Appender expects).</summary>
    internal List<(string Name, string Type)> TableColumns(string table)
    {
        using var command = Command(
            DuckDbSql.TableColumns,
            table);
        using var reader = command.ExecuteReader();
        var result = new List<(string, string)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetString(1)));
        }

        return result;
    }

    /// <inheritdoc />
    public IIngestLoad BeginLoad(IngestLoadRequest request) => new DuckDbLoad(this, request);

    /// <inheritdoc />
    public bool ReadsCsvFiles => true;

    /// <inheritdoc />
    public IReadOnlyList<QuarantineEntry> ReadQuarantine(long? runId, int limit) => WarehouseQueries.ReadQuarantine(this, runId, limit);

    /// <inheritdoc />
    public IReadOnlyList<IngestRunRecord> IngestRuns(int limit) => WarehouseQueries.IngestRuns(this, limit);

    /// <inheritdoc />
    public WarehouseSummary Summarize() => WarehouseQueries.Summarize(this);

    /// <inheritdoc />
    ISqlDialect ISqlReader.Dialect => Dialect;

    /// <inheritdoc />
    public void Read(SqlStatement query, Action<IDataRecord> row)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(row);
        using var command = Command(query.Text, [.. query.Parameters]);
        using var reader = command.ExecuteReader();
        WarehouseRecord.ForEach(reader, row);
    }

    /// <inheritdoc />
    public long ExportParquet(SqlStatement query, string path)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(path);
        return ExecuteCount(DuckDbSql.CopyToParquet(query.Text, path), [.. query.Parameters]);
    }

    /// <inheritdoc />
    public IWarehouseTransaction BeginTransaction()
    {
        Execute("BEGIN TRANSACTION");
        return new Transaction(this);
    }

    /// <summary>Appends rows a chunk at a time (<see cref="ChunkAppender"/>), inside the open transaction (closing it flushes before the commit).</summary>
    private void Append(string table, TableRows rows, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var named = rows.Columns.ToDictionary(c => c.Name, c => c.Values, StringComparer.Ordinal);
        var columns = TableColumns(table).Select(c => c.Name).ToList();
        var unknown = named.Keys.Except(columns, StringComparer.Ordinal).FirstOrDefault();
        if (unknown is not null)
        {
            throw new WarehouseException($"table {table} has no column {unknown}");
        }

        using var appender = new ChunkAppender(connection, null, null, table);
        appender.Append([.. columns.Select(name => named.GetValueOrDefault(name))], rows.Count, cancellation);
        appender.Close();
    }

    /// <summary>The transaction a load already opened, for work that joins it (identity resolution); its owner commits it.</summary>
    internal IWarehouseTransaction Joined() => new Transaction(this, owned: false);

    /// <summary>An open DuckDB transaction on the warehouse's one connection: rolled back unless committed.</summary>
    private sealed class Transaction(DuckDbWarehouse warehouse, bool owned = true) : IWarehouseTransaction
    {
        private readonly bool owner = owned;
        private bool open = owned;

        public long Execute(SqlStatement statement)
        {
            ArgumentNullException.ThrowIfNull(statement);
            return warehouse.ExecuteCount(statement.Text, [.. statement.Parameters]);
        }

        public ISqlDialect Dialect => ((ISqlReader)warehouse).Dialect;

        public void Read(SqlStatement query, Action<IDataRecord> row) => warehouse.Read(query, row);

        public void Append(string table, TableRows rows, CancellationToken cancellation = default) => warehouse.Append(table, rows, cancellation);

        public void Commit()
        {
            if (!owner)
            {
                throw new InvalidOperationException("a joined transaction is committed by its owner");
            }

            warehouse.Execute("COMMIT");
            open = false;
        }

        public void Dispose()
        {
            if (open)
            {
                open = false;
                warehouse.TryRollback();
            }
        }
    }

    /// <summary>
    /// Rolls back the open transaction while an error unwinds. DuckDB has already ended a transaction that an IO error
    /// (a full disk) invalidated, and its "cannot rollback - no transaction is active" must not replace the error that
    /// says what happened.
    /// </summary>
    internal void TryRollback()
    {
        try
        {
            Execute("ROLLBACK");
        }
        catch (DuckDBException)
        {
            // The transaction is gone either way.
        }
    }

    /// <inheritdoc />
    public IWarehouse? OpenConnection()
    {
        // DuckDB.NET shares one database instance among a process's connections to a file: one writer, MVCC readers.
        var reader = new DuckDBConnection("Data Source=" + Path);
        try
        {
            reader.Open();
        }
        catch
        {
            reader.Dispose();
            throw;
        }

        lock (Instances)
        {
            OpenHere[Path] = OpenHere.GetValueOrDefault(Path) + 1;
        }

        return new DuckDbWarehouse(Path, reader) { SchemaVersion = SchemaVersion };
    }

    /// <inheritdoc />
    public bool IsFault(Exception exception) => exception switch
    {
        WarehouseException or IOException => true,
        DuckDBException e => e.ErrorType is DuckDB.NET.Native.DuckDBErrorType.Io or DuckDB.NET.Native.DuckDBErrorType.OutOfMemory or DuckDB.NET.Native.DuckDBErrorType.Fatal,
        _ => false,
    };

    /// <inheritdoc />
    public bool IsConflict(Exception exception) =>
        exception is DuckDBException { ErrorType: DuckDB.NET.Native.DuckDBErrorType.Transaction };

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        connection.Dispose();
        lock (Instances)
        {
            if (--OpenHere[Path] == 0)
            {
                OpenHere.Remove(Path);
            }
        }
    }

    internal void Execute(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        command.ExecuteNonQuery();
    }

    internal long ExecuteCount(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal object? Scalar(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar();
    }

    internal DuckDBCommand Command(string sql, params object?[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var p in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(p ?? DBNull.Value));
        }

        return command;
    }

    internal static string Quote(string identifier) => Dialect.QuoteIdentifier(identifier);

    internal static string TypeName(FieldType type) => Dialect.TypeName(type);

    private static FieldType TypeOf(string duckType) => duckType.ToUpperInvariant() switch
    {
        "VARCHAR" => FieldType.Text,
        "BIGINT" or "INTEGER" => FieldType.Integer,
        "BOOLEAN" => FieldType.Boolean,
        "DATE" => FieldType.Date,
        "TIMESTAMP" => FieldType.Timestamp,
        var t when t.StartsWith("DECIMAL", StringComparison.Ordinal) => FieldType.Number,
        var t => throw new WarehouseException($"column type {t} is not one Segmenta writes"),
    };
}

