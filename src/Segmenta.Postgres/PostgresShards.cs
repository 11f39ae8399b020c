using Npgsql;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Postgres;

/// <summary>
/// The workers of a sharded warehouse: PostgreSQL's native sharding. On the coordinator, each
/// distributed table (<see cref="WarehouseSchema.DistributedTables"/>) is hash-partitioned by
/// customer id and partition i is a <c>postgres_fdw</c> foreign table on worker i, so everything
/// Segmenta computes per customer runs on the workers in parallel (partitionwise aggregation and
/// joins, asynchronous foreign scans) and the coordinator combines finished rows. Bookkeeping tables
/// (runs, quarantine, segment history) stay on the coordinator.
/// </summary>
internal sealed class PostgresShards
{
    private readonly IReadOnlyList<string> workers;

    public PostgresShards(IReadOnlyList<string> workers) => this.workers = workers;

    public int Count => workers.Count;

    /// <summary>
    /// Declares the workers on the coordinator (the extension, one foreign server and user mapping per
    /// worker, updated when a worker's address changes) and creates their databases if missing.
    /// Window bounds are always parameters, so every per-customer aggregate is shippable to a worker.
    /// </summary>
    public void Prepare(PostgresWarehouse coordinator)
    {
        coordinator.Execute(PostgresSql.CreateForeignDataWrapper);
        for (var i = 0; i < workers.Count; i++)
        {
            var b = new NpgsqlConnectionStringBuilder(workers[i]);
            using (PostgresWarehouse.Connect(workers[i], create: true))
            {
                // Only to create the database; tables come with SyncTables.
            }

            var server = PostgresDialect.ShardServer(i);
            var address = new[] { ("host", b.Host ?? "localhost"), ("port", b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("dbname", b.Database ?? "postgres") };
            if (coordinator.Scalar(PostgresSql.HasForeignServer, server) is null)
            {
                var options = address.Concat([("async_capable", "true"), ("fetch_size", "10000"), ("batch_size", "1000"), ("extensions", "")]);
                coordinator.Execute(PostgresSql.CreateForeignServer(server, options));
            }
            else
            {
                coordinator.Execute(PostgresSql.AlterForeignServer(server, address));
            }

            var user = b.Username ?? Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
            var password = b.Password ?? Environment.GetEnvironmentVariable("PGPASSWORD");
            coordinator.Execute(PostgresSql.CreateUserMapping(server, user, password));
        }
    }

    /// <summary>Creates each worker's partition of every distributed table, with the coordinator's columns, keys and indexes.</summary>
    public void SyncTables(PostgresWarehouse coordinator)
    {
        foreach (var table in WarehouseSchema.DistributedTables)
        {
            var columns = coordinator.TableColumns(table.Name);
            ForEachWorker((worker, i) =>
            {
                var d = PostgresDialect.Instance;
                var shard = PostgresDialect.ShardTable(table.Name, i);
                Run(worker, PostgresSql.CreatePartition(shard, columns));
                foreach (var c in columns)
                {
                    Run(worker, PostgresSql.AddPartitionColumn(shard, c.Name, c.Type));
                }

                if (table.UniqueKey is { } unique)
                {
                    Run(worker, PostgresSql.CreateUniqueIndex(shard, unique));
                }

                foreach (var statement in table.IndexedKey is { } key ? d.CreateIndex(shard, key) : [])
                {
                    Run(worker, statement);
                }
            });
        }
    }

    /// <summary>Adds columns to a distributed table's partitions on every worker (before the coordinator's own ALTER).</summary>
    public void AddColumns(string table, IReadOnlyList<FieldDefinition> columns)
    {
        var d = PostgresDialect.Instance;
        ForEachWorker((worker, i) =>
        {
            foreach (var c in columns)
            {
                Run(worker, WarehouseSql.AddColumn(d, PostgresDialect.ShardTable(table, i), c));
            }
        });
    }

    /// <summary>Analyzes each worker's partition of <paramref name="table"/> after a load that changed a tenth of it or more.</summary>
    public void Analyze(string table, long loaded)
    {
        // Hash partitioning spreads a load evenly: each worker received about its share of the rows.
        ForEachWorker((worker, i) => PostgresWarehouse.AnalyzeIfGrown(worker, PostgresDialect.ShardTable(table, i), (double)loaded / Count));
    }

    private void ForEachWorker(Action<NpgsqlConnection, int> action)
    {
        for (var i = 0; i < workers.Count; i++)
        {
            using var worker = PostgresWarehouse.Connect(workers[i], create: false);
            action(worker, i);
        }
    }

    private static void Run(NpgsqlConnection on, string sql) => PostgresWarehouse.Run(on, sql);
}
