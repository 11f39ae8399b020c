namespace Segmenta.Warehouse;

/// <summary>
/// The warehouse's tables by name: the one place the schema's names live. The migrations (<see cref="WarehouseSchema"/>)
/// and every feature's statements name tables through these, so the schema depends on no feature and no feature
/// spells a table of its own. A name is never changed once released (a migration that renames adds a new one).
/// </summary>
public static class Tables
{
    /// <summary>The applied schema versions.</summary>
    public const string SchemaVersions = "segmenta_schema";

    /// <summary>Every customer with their traits.</summary>
    public const string Customers = "customers";

    /// <summary>Every behavioral event.</summary>
    public const string Events = "events";

    /// <summary>Every version of every segment ever recorded.</summary>
    public const string SegmentDefinitions = "segment_definitions";

    /// <summary>Members per materialization (schema 2–8; since 9, stays in <see cref="SegmentIntervals"/>).</summary>
    public const string SegmentMemberships = "segment_memberships";

    /// <summary>One row per ingest run (files and collected events).</summary>
    public const string IngestRuns = "ingest_runs";

    /// <summary>Rows and messages set aside with their line and reason.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>One row per stay of a customer in a segment (entered, exited).</summary>
    public const string SegmentIntervals = "segment_intervals";

    /// <summary>Scratch for a refresh's members, emptied in the same transaction.</summary>
    public const string SegmentStaging = "segment_staging";

    /// <summary>One row per materialization of a segment: size, entered, exited.</summary>
    public const string SegmentMaterializations = "segment_materializations";

    /// <summary>Every customer's features per as-of.</summary>
    public const string CustomerFeatures = "customer_features";

    /// <summary>Every customer's RFM scores per as-of.</summary>
    public const string RfmScores = "rfm_scores";

    /// <summary>Each stored analysis run: analysis, as-of, rows, options.</summary>
    public const string AnalysisRuns = "analysis_runs";

    /// <summary>Every fitted k-means model.</summary>
    public const string ClusterModels = "cluster_models";

    /// <summary>Every customer's cluster at the current snapshot.</summary>
    public const string ClusterScores = "cluster_scores";

    /// <summary>Every CLV fit.</summary>
    public const string ClvModels = "clv_models";

    /// <summary>The latest CLV predictions, one row per customer.</summary>
    public const string ClvPredictions = "clv_predictions";

    /// <summary>Each launched campaign with its file as launched.</summary>
    public const string Campaigns = "campaigns";

    /// <summary>Each campaign's customers with their segment and arm.</summary>
    public const string CampaignAssignments = "campaign_assignments";

    /// <summary>Every refresh, committed or failed, with its report.</summary>
    public const string RefreshRuns = "refresh_runs";

    /// <summary>Each computed trait's value per customer at the current snapshot (a missing value has no row).</summary>
    public const string ComputedTraitValues = "computed_trait_values";

    /// <summary>Evidence that two identifiers are one person, with what resolution made of it.</summary>
    public const string IdentityLinks = "identity_links";

    /// <summary>Each linked identifier's profile (an identifier in no link is its own profile).</summary>
    public const string Identities = "identities";

    /// <summary>Every change of an identifier's profile: merges, splits, undos, with why.</summary>
    public const string IdentityChanges = "identity_changes";

    /// <summary>Identifiers of erased customers, hashed: never ingested again.</summary>
    public const string Suppressions = "suppressions";

    /// <summary>Each erasure request, counted, without the personal data.</summary>
    public const string Erasures = "erasures";

    /// <summary>Erased customers' outcomes in the campaigns they were assigned to, frozen without their ids, so past measurements stand.</summary>
    public const string ErasedOutcomes = "erased_outcomes";

    /// <summary>Every sync of a segment to a destination: when, which membership instant, how many entered and exited, the outcome.</summary>
    public const string DestinationSyncs = "destination_syncs";

    /// <summary>Who each destination has been told is in each of its segments (the state the next sync is a difference against).</summary>
    public const string DestinationMembers = "destination_members";

    /// <summary>Each webhook batch (the outbox): its idempotency key, order, attempts, next try and outcome.</summary>
    public const string DestinationBatches = "destination_batches";

    /// <summary>Who each webhook batch carries, entered (with the traits sent) or exited.</summary>
    public const string DestinationBatchMembers = "destination_batch_members";

    /// <summary>A sync's changes while it is being recorded, emptied in the same transaction.</summary>
    public const string DestinationStaging = "destination_staging";

    /// <summary>Each near-real-time update of a segment after a collection flush: the instant, customers evaluated, entered, exited.</summary>
    public const string SegmentLiveUpdates = "segment_live_updates";

    /// <summary>The customers a live update re-evaluates, while it runs, emptied in the same transaction.</summary>
    public const string SegmentLiveTouched = "segment_live_touched";

    /// <summary>Every fitted uplift model: campaign, version, when, the instant it scored customers at, and the model with its evaluation.</summary>
    public const string UpliftModels = "uplift_models";

    /// <summary>Each customer's predicted uplift per campaign's newest model: conversion, revenue, visit, the baseline without contact and the quadrant.</summary>
    public const string UpliftScores = "uplift_scores";

    /// <summary>
    /// A 64-bit hash of every stored event's id, where the warehouse keeps one (DuckDB): what a load's duplicate check scans
    /// instead of the ids themselves. A hash may outlive its event (deleted events leave theirs); no stored event lacks one
    /// while <see cref="EventIdHashFunction"/> says the hashes are current.
    /// </summary>
    public const string EventIdHashes = "event_id_hashes";

    /// <summary>
    /// One row while <see cref="EventIdHashes"/> is complete: the hash of a fixed text under the function that made the hashes,
    /// so that a warehouse whose hash function changed (an upgrade) rebuilds them. No row: rebuild before use.
    /// </summary>
    public const string EventIdHashFunction = "event_id_hash_function";

    /// <summary>
    /// Every customer's kept orders summed over all their stored purchase and refund events (no as-of bound): first and last
    /// order, orders, purchase days (in the zone of <see cref="OrderSummaryState"/>), net and gross order value, refund amounts and count — what features, RFM and personas read instead of
    /// the events while <see cref="OrderSummaryState"/> says it was built from the events as they are
    /// (Segmenta.Features.OrderSummary). A copy of what the events say, per customer: erased with them.
    /// </summary>
    public const string OrderSummary = "order_summary";

    /// <summary>
    /// One row while <see cref="OrderSummary"/> holds something: the fingerprint of the purchase and refund events it was built
    /// from (their count and a sum of their rows' hashes), the last of those events' instants (an as-of after it sees them all),
    /// and the time zone whose calendar days it counted.
    /// </summary>
    public const string OrderSummaryState = "order_summary_state";
}
