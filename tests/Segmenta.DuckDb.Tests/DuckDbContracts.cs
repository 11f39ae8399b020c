using Segmenta.Contracts;

namespace Segmenta.DuckDb.Tests;

/// <summary>Ingestion's guarantees on an embedded DuckDB file.</summary>
public sealed class DuckDbIngestTests : IngestContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Preview, materialization and export on DuckDB.</summary>
public sealed class DuckDbSegmentOperationsTests() : SegmentOperationsContract(Backend.DuckDb);

/// <summary>The compiled DuckDB SQL against the reference evaluator.</summary>
public sealed class DuckDbDifferentialTests : DifferentialContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Features and RFM on DuckDB against the plain-LINQ reference.</summary>
public sealed class DuckDbFeatureTests : FeatureContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Clusters scored in DuckDB's SQL against the in-memory fit.</summary>
public sealed class DuckDbClusterTests : ClusterContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>CLV fitted from DuckDB's summary, predictions appended and read by segments.</summary>
public sealed class DuckDbClvTests : ClvContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Campaigns launched and measured on DuckDB.</summary>
public sealed class DuckDbCampaignTests : CampaignContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Refresh, history, migration and drift on DuckDB.</summary>
public sealed class DuckDbRefreshTests : RefreshContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Identity resolution on DuckDB.</summary>
public sealed class DuckDbIdentityTests : IdentityContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Erasure on DuckDB.</summary>
public sealed class DuckDbErasureTests : ErasureContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Consent on DuckDB.</summary>
public sealed class DuckDbConsentTests : ConsentContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Activation on DuckDB.</summary>
public sealed class DuckDbDestinationTests : DestinationContract
{
    private protected override Backend Backend => Backend.DuckDb;
}

/// <summary>Near-real-time membership on DuckDB.</summary>
public sealed class DuckDbLiveMembershipTests : LiveMembershipContract
{
    private protected override Backend Backend => Backend.DuckDb;
}
