using System.Text.Json.Serialization;
using Segmenta.Refresh;

namespace Segmenta.Documents;

/// <summary>
/// The demo end to end (<c>demo --json</c>): each step with how long it took, what the warehouse holds, and the
/// documents of every analysis it ran, as the verbs that run them alone print them.
/// </summary>
public sealed record DemoDocument(
    string Workspace,
    string AsOf,
    IReadOnlyList<DemoStepDocument> Steps,
    IReadOnlyList<DemoIngestDocument> Ingests,
    IngestResultDocument Reingest,
    StatusDocument Status,
    IReadOnlyList<QuarantineReasonDocument> QuarantineReasons,
    RfmDocument Rfm,
    ClusterDocument Clusters,
    DemoClvDocument Clv,
    IReadOnlyList<PersonaDocument> Personas,
    IReadOnlyList<DemoSegmentDocument> Segments,
    DemoExportDocument Export,
    DemoDestinationDocument Destination,
    DemoRefreshDocument Refresh,
    DemoCampaignDocument Campaign,
    DemoReportDocument Report,
    double Seconds);

/// <summary>One step of the demo: its name, what it made (only the fields that apply to it) and its seconds.</summary>
public sealed record DemoStepDocument(string Step)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Customers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Events { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MalformedRows { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Scored { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? K { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Segments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Snapshots { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Personas { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? OutcomeEvents { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Documents { get; init; }

    /// <summary>How long the step took.</summary>
    public double Seconds { get; init; }
}

/// <summary>
/// A file the demo ingested (<c>table</c>: customers, events, or consents — consent events, loaded into events): rows read,
/// loaded, quarantined, skipped as duplicates, and the seconds it took.
/// </summary>
public sealed record DemoIngestDocument(string Table, long Read, long Loaded, long Quarantined, long Duplicates, double Seconds);

/// <summary>Rows set aside for one kind of reason.</summary>
public sealed record QuarantineReasonDocument(string Reason, int Rows);

/// <summary>The demo's lifetime-value fit and its predictions.</summary>
public sealed record DemoClvDocument(ClvModelDocument Fit, PredictionsDocument Predictions);

/// <summary>An example segment's size and shares (of all customers, of all net revenue).</summary>
public sealed record DemoSegmentDocument(string Name, string? Title, long Size, double ShareOfCustomers, double ShareOfNetRevenue);

/// <summary>The segment the demo exported and where.</summary>
public sealed record DemoExportDocument(string Segment, string Path, long Members);

/// <summary>The demo's destination (destinations/weekly_drop.yaml) and its syncs after each weekly snapshot, oldest first.</summary>
public sealed record DemoDestinationDocument(string Name, IReadOnlyList<SyncDocument> Syncs);

/// <summary>The demo's weekly snapshots and the RFM migration between the first and the last.</summary>
public sealed record DemoRefreshDocument(IReadOnlyList<DemoSnapshotDocument> Snapshots, MigrationDocument Migration);

/// <summary>One snapshot: who entered and exited any segment, and its drift alerts.</summary>
public sealed record DemoSnapshotDocument(string AsOf, long RunId, long Entered, long Exited, IReadOnlyList<DriftAlert> Alerts);

/// <summary>The demo's campaign: the effects the simulation planted (the truth the measurement must find), the audiences and the measurement.</summary>
public sealed record DemoCampaignDocument(IReadOnlyList<TrueEffectDocument> Truth, IReadOnlyList<AudienceFileDocument> Audiences, MeasurementDocument Measurement);

/// <summary>A planted effect: the segment's base rate and the lift of its own message and of the broadcast.</summary>
public sealed record TrueEffectDocument(string Segment, double BaseRate, double VariantLift, double BroadcastLift, double OrderValue);

/// <summary>The demo's report and any document the core could not give.</summary>
public sealed record DemoReportDocument(string Path, int Documents, IReadOnlyList<string> Missing);
