using Segmenta.Contracts;
using Segmenta.DuckDb;
using Segmenta.Testing;
using Segmenta.Workspaces;

namespace Segmenta.Postgres.Tests;

/// <summary>Ingestion's guarantees on one PostgreSQL node.</summary>
public sealed class PostgresIngestTests : IngestContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Ingestion's guarantees through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedIngestTests : IngestContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Preview, materialization and export on one PostgreSQL node.</summary>
public sealed class PostgresSegmentOperationsTests() : SegmentOperationsContract(PostgresBackends.Single);

/// <summary>Preview, materialization and export on a sharded warehouse.</summary>
public sealed class ShardedSegmentOperationsTests() : SegmentOperationsContract(PostgresBackends.Sharded);

/// <summary>The compiled PostgreSQL SQL against the reference evaluator (and so against DuckDB).</summary>
public sealed class PostgresDifferentialTests : DifferentialContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>The same, through the coordinator of a sharded warehouse (fewer workspaces: each needs three databases).</summary>
public sealed class ShardedDifferentialTests : DifferentialContract
{
    protected override int Workspaces => 2;

    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Features and RFM on one PostgreSQL node against the plain-LINQ reference.</summary>
public sealed class PostgresFeatureTests : FeatureContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Features and RFM through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedFeatureTests : FeatureContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Clusters scored in PostgreSQL's SQL against the in-memory fit.</summary>
public sealed class PostgresClusterTests : ClusterContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Clusters scored through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedClusterTests : ClusterContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>CLV on PostgreSQL: the summary in SQL, predictions by binary COPY.</summary>
public sealed class PostgresClvTests : ClvContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>CLV through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedClvTests : ClvContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Campaigns on PostgreSQL: assignments by binary COPY, outcomes in SQL.</summary>
public sealed class PostgresCampaignTests : CampaignContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Campaigns through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedCampaignTests : CampaignContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Refresh, history, migration and drift on one PostgreSQL node.</summary>
public sealed class PostgresRefreshTests : RefreshContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Refresh through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedRefreshTests : RefreshContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>The PostgreSQL backends of the contract tests: each fixture gets fresh databases, dropped afterwards.</summary>
internal static class PostgresBackends
{
    /// <summary>One node.</summary>
    public static Backend Single => new(
        "postgres",
        settings => settings with { Warehouse = new WarehouseSettings("postgres", ConnectionString: PostgresServers.NewDatabase(PostgresServers.Main)) },
        Open,
        Drop);

    /// <summary>A coordinator and two workers.</summary>
    public static Backend Sharded => new(
        "sharded postgres",
        settings => settings with
        {
            Warehouse = new WarehouseSettings(
                "postgres",
                ConnectionString: PostgresServers.NewDatabase(PostgresServers.Main),
                Shards: PostgresServers.Workers.Select(PostgresServers.NewDatabase).ToList()),
        },
        Open,
        Drop);

    private static PostgresWarehouse Open(Workspace workspace) =>
        PostgresWarehouse.Open(workspace.Settings.Warehouse.ConnectionString!, workspace.Settings.Warehouse.ShardList, create: true, parquet: DuckDbParquetFiles.Instance);

    private static void Drop(Workspace workspace)
    {
        foreach (var database in workspace.Settings.Warehouse.ShardList.Prepend(workspace.Settings.Warehouse.ConnectionString!))
        {
            PostgresServers.DropDatabase(database);
        }
    }
}

/// <summary>Identity resolution on one PostgreSQL node.</summary>
public sealed class PostgresIdentityTests : IdentityContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Identity resolution through the coordinator of a sharded warehouse: re-attribution moves events between shards.</summary>
public sealed class ShardedIdentityTests : IdentityContract
{
    protected override int ShuffledOrders => 1;

    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Erasure on one PostgreSQL node.</summary>
public sealed class PostgresErasureTests : ErasureContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Erasure through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedErasureTests : ErasureContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Consent on one PostgreSQL node.</summary>
public sealed class PostgresConsentTests : ConsentContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Consent through the coordinator of a sharded warehouse: the latest fact per customer is computed on the shards.</summary>
public sealed class ShardedConsentTests : ConsentContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Activation on one PostgreSQL node.</summary>
public sealed class PostgresDestinationTests : DestinationContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Activation through the coordinator of a sharded warehouse (the destination tables live on the coordinator).</summary>
public sealed class ShardedDestinationTests : DestinationContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}

/// <summary>Near-real-time membership on one PostgreSQL node.</summary>
public sealed class PostgresLiveMembershipTests : LiveMembershipContract
{
    private protected override Backend Backend => PostgresBackends.Single;
}

/// <summary>Near-real-time membership through the coordinator of a sharded warehouse.</summary>
public sealed class ShardedLiveMembershipTests : LiveMembershipContract
{
    private protected override Backend Backend => PostgresBackends.Sharded;
}
