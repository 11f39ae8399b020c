using System.Data;
using System.Globalization;
using Npgsql;
using Segmenta.Files;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Postgres;

/// <summary>
/// The server warehouse: a PostgreSQL 15+ database, on one node or as the coordinator of workers
/// (see <see cref="PostgresShards"/>). Opening it creates or upgrades the schema. The password never
/// comes from Segmenta's settings: Npgsql reads <c>PGPASSWORD</c> or <c>~/.pgpass</c>.
/// </summary>
public sealed class PostgresWarehouse : IWarehouse
{
    /// <summary>Serializes schema changes and ingest runs across processes (an arbitrary, fixed advisory lock key).</summary>
    internal const long WriterLock = 0x5365676d656e7461; // "Segmenta"

    private readonly NpgsqlConnection connection;

    private readonly IParquetFiles? parquet;

    private PostgresWarehouse(NpgsqlConnection connection, PostgresDialect dialect, PostgresShards? shards, IParquetFiles? parquet)
    {
        this.connection = connection;
        Dialect = dialect;
        Shards = shards;
        this.parquet = parquet;
    }

    /// <inheritdoc />
    public string Description
    {
        get
        {
            var b = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
            var where = $"postgres {b.Host}:{b.Port}/{connection.Database}";
            return Shards is null ? where : $"{where} (coordinator of {Shards.Count} shards)";
        }
    }

    /// <inheritdoc />
    public int SchemaVersion { get; private set; }

    /// <inheritdoc />
    public ISqlDialect Dialect { get; }

    /// <summary>The workers, for a sharded warehouse.</summary>
    internal PostgresShards? Shards { get; }

    internal NpgsqlConnection Connection => connection;

    /// <summary>
    /// Opens the database <paramref name="connectionString"/> names and brings its schema up to date.
    /// With <paramref name="shards"/> (worker connection strings), customers and events are partitioned
    /// across the workers. With <paramref name="create"/>, a missing database is created (UTF-8, byte-order collation).
    /// Parquet exports are written with <paramref name="parquet"/> (null: refused with a clear error).
    /// </summary>
    public static PostgresWarehouse Open(string connectionString, IReadOnlyList<string>? shards = null, bool create = false, int? upToVersion = null, IParquetFiles? parquet = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var connection = Connect(connectionString, create);
        PostgresWarehouse? warehouse = null;
        try
        {
            var layout = shards is { Count: > 0 } ? new PostgresShards(shards) : null;
            warehouse = new PostgresWarehouse(connection, PostgresDialect.Sharded(layout?.Count ?? 0), layout, parquet);
            foreach (var setting in PostgresSql.PartitionwisePlans)
            {
                warehouse.Execute(setting);
            }

            warehouse.Migrate(upToVersion ?? WarehouseSchema.LatestVersion);
            return warehouse;
        }
        catch (Exception e)
        {
            (warehouse as IDisposable ?? connection).Dispose();
            if (e is NpgsqlException or InvalidOperationException)
            {
                throw new WarehouseException($"cannot open the PostgreSQL warehouse: {e.Message}");
            }

            throw;
        }
    }

    /// <summary>Opens a connection, creating the database first when asked and it does not exist.</summary>
    internal static NpgsqlConnection Connect(string connectionString, bool create)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new WarehouseException($"the PostgreSQL connection string is not valid: {e.Message}");
        }

        // One session per warehouse object, no pool: a crashed process's transaction dies with its socket.
        builder.Pooling = false;
        builder.CommandTimeout = 0;
        builder.ApplicationName ??= "segmenta";
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName && create && builder.Database is { } database)
        {
            connection.Dispose();
            CreateDatabase(builder, database);
            connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            connection.Dispose();
            var hint = e is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } ? " (run `segmenta init` to create it)" : "";
            throw new WarehouseException($"cannot connect to PostgreSQL at {builder.Host}:{builder.Port}/{builder.Database}: {e.Message}{hint}");
        }
    }

    private static void CreateDatabase(NpgsqlConnectionStringBuilder builder, string database)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = "postgres" };
        using var admin = new NpgsqlConnection(maintenance.ConnectionString);
        admin.Open();
        // Byte-order collation: text sorts and compares as on DuckDB. C.UTF-8 keeps Unicode lower().
        try
        {
            Run(admin, PostgresSql.CreateDatabase(database, "C.UTF-8"));
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidParameterValue or PostgresErrorCodes.FeatureNotSupported)
        {
            Run(admin, PostgresSql.CreateDatabase(database, "C"));
        }
    }

    internal static void Run(NpgsqlConnection on, string sql)
    {
        using var command = new NpgsqlCommand(sql, on);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// After <paramref name="added"/> rows went into <paramref name="table"/> (a load, or a bulk append of computed rows:
    /// a campaign's assignments, CLV and uplift predictions, identity links, destination batches), refreshes the planner's
    /// statistics when they changed a tenth of it or more, so the next query joining it is planned for the rows now there
    /// (PostgreSQL's ANALYZE counts the rows this transaction added). On a sharded warehouse the workers analyze their own
    /// partitions of a distributed table.
    /// </summary>
    internal void RefreshStatistics(string table, long added)
    {
        if (Shards is { } shards && WarehouseSchema.DistributedTables.Any(t => t.Name == table))
        {
            shards.Analyze(table, added);
        }
        else
        {
            AnalyzeIfGrown(connection, table, added);
        }
    }

    /// <summary>
    /// Refreshes the planner's statistics of <paramref name="table"/> on <paramref name="on"/> when
    /// <paramref name="loaded"/> new rows changed a tenth of it or more (a table never analyzed always is):
    /// the next segment query is planned for the rows now there, not when autovacuum gets to it.
    /// </summary>
    internal static void AnalyzeIfGrown(NpgsqlConnection on, string table, double loaded)
    {
        using var command = new NpgsqlCommand(PostgresSql.EstimatedRows, on) { Parameters = { new NpgsqlParameter { Value = table } } };
        var before = Convert.ToDouble(command.ExecuteScalar() ?? 0d, CultureInfo.InvariantCulture);
        if (loaded > 0 && loaded * 10 >= before)
        {
            Run(on, PostgresSql.Analyze(table));
        }
    }

    private void Migrate(int target)
    {
        Execute(WarehouseSql.CreateSchemaVersions(Dialect));
        SchemaVersion = Convert.ToInt32(Scalar(WarehouseSql.SchemaVersion(Dialect)), CultureInfo.InvariantCulture);
        if (SchemaVersion > WarehouseSchema.LatestVersion)
        {
            throw new WarehouseException($"{Description} has schema version {SchemaVersion}, newer than this Segmenta knows ({WarehouseSchema.LatestVersion}); upgrade Segmenta");
        }

        if (SchemaVersion < target)
        {
            Shards?.Prepare(this);
            foreach (var migration in WarehouseSchema.Migrations.Where(m => m.Version <= target))
            {
                using var transaction = connection.BeginTransaction();
                Execute(PostgresSql.WriterLock, WriterLock);
                // Another process may have applied it while this one waited for the lock.
                if (Scalar(WarehouseSql.HasSchemaVersion(Dialect), (long)migration.Version) is null)
                {
                    foreach (var statement in migration.Statements(Dialect))
                    {
                        Execute(statement);
                    }

                    Execute(WarehouseSql.RecordSchemaVersion(Dialect), (long)migration.Version, migration.Description);
                }

                transaction.Commit();
                SchemaVersion = Math.Max(SchemaVersion, migration.Version);
            }

            Shards?.SyncTables(this);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<FieldDefinition> Columns(TableKind table) =>
        TableColumns(CanonicalModel.TableName(table))
            .Where(c => c.Name != WarehouseSchema.IngestRunColumn)
            .Select(c => CanonicalModel.Find(table, c.Name) ?? new FieldDefinition(c.Name, TypeOf(c.Type), Declared: true))
            .ToList();

    /// <summary>A table's columns and their PostgreSQL types (as <c>format_type</c> writes them), in table order.</summary>
    internal List<(string Name, string Type, bool NotNull)> TableColumns(string table)
    {
        using var command = Command(PostgresSql.TableColumns, table);
        using var reader = command.ExecuteReader();
        var result = new List<(string, string, bool)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return result;
    }

    /// <inheritdoc />
    public IIngestLoad BeginLoad(IngestLoadRequest request) => new PostgresLoad(this, request);

    /// <inheritdoc />
    public IReadOnlyList<QuarantineEntry> ReadQuarantine(long? runId, int limit) => WarehouseQueries.ReadQuarantine(this, runId, limit);

    /// <inheritdoc />
    public IReadOnlyList<IngestRunRecord> IngestRuns(int limit) => WarehouseQueries.IngestRuns(this, limit);

    /// <inheritdoc />
    public WarehouseSummary Summarize() => WarehouseQueries.Summarize(this);

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
    public IWarehouseTransaction BeginTransaction() => new Transaction(this, connection.BeginTransaction());

    /// <summary>The fewest appended rows after which an append refreshes the table's statistics (<see cref="RefreshStatistics"/>).</summary>
    private const int MinAnalyzedAppend = 1000;

    /// <summary>Appends rows with binary COPY, inside the connection's open transaction.</summary>
    private void Append(string table, TableRows rows, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        using (var writer = connection.BeginBinaryImport(PostgresSql.CopyFrom(table, rows.Columns.Select(c => c.Name))))
        {
            Copy(writer, rows, cancellation);
        }

        // Not for the few rows of a live update or a destination's small batch: the planner estimates a small table from
        // its pages well enough, and an ANALYZE in the transaction would hold its lock until the commit.
        if (rows.Count >= MinAnalyzedAppend)
        {
            RefreshStatistics(table, rows.Count);
        }
    }

    private static void Copy(NpgsqlBinaryImporter writer, TableRows rows, CancellationToken cancellation)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            if ((r & 0xFFFF) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }

            writer.StartRow();
            foreach (var (_, values) in rows.Columns)
            {
                switch (values)
                {
                    case string?[] text when text[r] is { } value:
                        writer.Write(value, NpgsqlTypes.NpgsqlDbType.Text);
                        break;
                    case long?[] integers when integers[r] is { } value:
                        writer.Write(value, NpgsqlTypes.NpgsqlDbType.Bigint);
                        break;
                    case double?[] numbers when numbers[r] is { } value:
                        writer.Write(value, NpgsqlTypes.NpgsqlDbType.Double);
                        break;
                    case DateOnly?[] dates when dates[r] is { } value:
                        writer.Write(value, NpgsqlTypes.NpgsqlDbType.Date);
                        break;
                    case DateTime?[] times when times[r] is { } value:
                        // Instants are UTC; the column is a zone-less timestamp holding UTC.
                        writer.Write(DateTime.SpecifyKind(value, DateTimeKind.Unspecified), NpgsqlTypes.NpgsqlDbType.Timestamp);
                        break;
                    default:
                        writer.WriteNull();
                        break;
                }
            }
        }

        writer.Complete();
    }

    /// <summary>The transaction a load already opened, for work that joins it (identity resolution); its owner commits it.</summary>
    internal IWarehouseTransaction Joined() => new Transaction(this, null);

    /// <summary>An open PostgreSQL transaction on the warehouse's one connection (commands on it join the transaction); null: joined, owned by a load.</summary>
    private sealed class Transaction(PostgresWarehouse warehouse, NpgsqlTransaction? transaction) : IWarehouseTransaction
    {
        public long Execute(SqlStatement statement)
        {
            ArgumentNullException.ThrowIfNull(statement);
            return warehouse.Execute(statement.Text, [.. statement.Parameters]);
        }

        public ISqlDialect Dialect => warehouse.Dialect;

        public void Read(SqlStatement query, Action<IDataRecord> row) => warehouse.Read(query, row);

        public void Append(string table, TableRows rows, CancellationToken cancellation = default) => warehouse.Append(table, rows, cancellation);

        public void Commit() => (transaction ?? throw new InvalidOperationException("a joined transaction is committed by its owner")).Commit();

        public void Dispose() => transaction?.Dispose();
    }

    /// <inheritdoc />
    public long ExportParquet(SqlStatement query, string path)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(path);
        var writer = parquet ?? throw new WarehouseException("this PostgreSQL warehouse was opened without a Parquet writer; export as CSV or JSON");
        using var command = Command(query.Text, [.. query.Parameters]);
        using var reader = command.ExecuteReader();
        return writer.Write(reader, path);
    }

    /// <inheritdoc />
    public IWarehouse? OpenConnection()
    {
        var copy = (NpgsqlConnection)((ICloneable)connection).Clone();
        copy.Open();
        var reader = new PostgresWarehouse(copy, (PostgresDialect)Dialect, Shards, parquet) { SchemaVersion = SchemaVersion };
        foreach (var setting in PostgresSql.PartitionwisePlans)
        {
            reader.Execute(setting);
        }

        return reader;
    }

    /// <inheritdoc />
    public bool IsFault(Exception exception) => exception is WarehouseException or IOException or TimeoutException || exception is NpgsqlException { IsTransient: true };

    /// <inheritdoc />
    public void Dispose() => connection.Dispose();

    internal int Execute(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal object? Scalar(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar();
    }

    internal NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = Bindable(p) });
        }

        return command;
    }

    /// <summary>Instants are stored as zone-less UTC timestamps, so they bind as <c>timestamp</c>.</summary>
    private static object Bindable(object? value) => value switch
    {
        null => DBNull.Value,
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Unspecified),
        _ => value,
    };

    private static FieldType TypeOf(string pgType) => pgType switch
    {
        "text" or "character varying" => FieldType.Text,
        "bigint" or "integer" => FieldType.Integer,
        "boolean" => FieldType.Boolean,
        "date" => FieldType.Date,
        "timestamp without time zone" => FieldType.Timestamp,
        var t when t.StartsWith("numeric", StringComparison.Ordinal) => FieldType.Number,
        var t => throw new WarehouseException($"column type {t} is not one Segmenta writes"),
    };
}
