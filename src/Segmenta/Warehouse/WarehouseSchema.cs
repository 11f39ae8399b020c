using Segmenta.Features;
using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Warehouse;

/// <summary>One step of the warehouse schema's history.</summary>
/// <param name="Version">The version the step produces.</param>
/// <param name="Description">What it adds.</param>
/// <param name="Statements">Its DDL for a dialect.</param>
public sealed record SchemaMigration(int Version, string Description, Func<ISqlDialect, IReadOnlyList<string>> Statements);

/// <summary>
/// The warehouse schema as an ordered list of migrations. A warehouse records its version in
/// <c>segmenta_schema</c>; opening an older one applies the missing steps, each in its own transaction.
/// Steps are never edited once released: a change is a new step.
/// </summary>
public static class WarehouseSchema
{

    /// <summary>The column of <c>events</c> that says which ingest run loaded the row.</summary>
    public const string IngestRunColumn = "ingest_run";

    /// <summary>How many of the canonical event fields migration 1 creates (later ones come with their own migration).</summary>
    private const int EventFieldsV1 = 12;

    /// <summary>The feature columns migration 5 creates (frozen: a new feature adds its column in a new migration).</summary>
    private static readonly string[] FeaturesV5 =
    [
        "first_purchase_at", "last_purchase_at", "recency_days", "frequency", "purchase_days", "gross_revenue", "refunded", "refunds",
        "monetary", "avg_order_value", "avg_days_between_purchases", "tenure_days", "email_sends", "email_open_rate", "email_click_rate",
        "ad_click_rate", "sessions", "time_on_site_seconds", "avg_session_seconds", "preferred_channel", "top_category",
        "gender", "age", "country", "region", "city", "income",
    ];

    /// <summary>Every migration, oldest first.</summary>
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "canonical customers and events, ingest runs and quarantine", d =>
        [
            .. Table(d, Tables.Customers, CanonicalModel.CustomerFields, CanonicalModel.CustomerId),
            .. Table(d, Tables.Events, [.. CanonicalModel.EventFields.Take(EventFieldsV1), new FieldDefinition(IngestRunColumn, FieldType.Integer)], null),
            $"""
            CREATE TABLE {T(d, Tables.IngestRuns)} (
                run_id {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                table_name {d.TypeName(FieldType.Text)} NOT NULL,
                source {d.TypeName(FieldType.Text)} NOT NULL,
                mapping {d.TypeName(FieldType.Text)},
                started_at {d.TimestampType} NOT NULL,
                finished_at {d.TimestampType} NOT NULL,
                records_read {d.TypeName(FieldType.Integer)} NOT NULL,
                loaded {d.TypeName(FieldType.Integer)} NOT NULL,
                quarantined {d.TypeName(FieldType.Integer)} NOT NULL,
                duplicates {d.TypeName(FieldType.Integer)} NOT NULL)
            """,
            $"""
            CREATE TABLE {T(d, Tables.Quarantine)} (
                run_id {d.TypeName(FieldType.Integer)} NOT NULL,
                source {d.TypeName(FieldType.Text)} NOT NULL,
                line {d.TypeName(FieldType.Integer)} NOT NULL,
                reason {d.TypeName(FieldType.Text)} NOT NULL,
                raw {d.TypeName(FieldType.Text)} NOT NULL)
            """,
        ]),
        new(2, "segment registry: definitions with versions, and memberships per materialization", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.SegmentDefinitions)} (
                name {d.TypeName(FieldType.Text)} NOT NULL,
                version {d.TypeName(FieldType.Text)} NOT NULL,
                title {d.TypeName(FieldType.Text)},
                description {d.TypeName(FieldType.Text)},
                source_file {d.TypeName(FieldType.Text)},
                definition {d.TypeName(FieldType.Text)} NOT NULL,
                created_at {d.TimestampType} NOT NULL,
                PRIMARY KEY (name, version))
            """,
            $"""
            CREATE TABLE {T(d, Tables.SegmentMemberships)} (
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                version {d.TypeName(FieldType.Text)} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL)
            """,
        ]),
        new(3, "segment materializations: size and time of each stored membership", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.SegmentMaterializations)} (
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                version {d.TypeName(FieldType.Text)} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                materialized_at {d.TimestampType} NOT NULL,
                size {d.TypeName(FieldType.Integer)} NOT NULL,
                PRIMARY KEY (segment, as_of))
            """,
        ]),
        new(4, "indexes for ingest dedupe and stored memberships, where the warehouse uses indexes", d =>
        [
            .. d.CreateIndex(Tables.Events, CanonicalModel.EventId),
            .. d.CreateIndex(Tables.SegmentMemberships, "segment", "as_of"),
        ]),
        new(5, "materialized customer features and RFM scores per as-of instant, and the analysis runs that made them", d =>
        [
            .. d.CreateTable(
                Tables.CustomerFeatures,
                [
                    $"as_of {d.TimestampType} NOT NULL",
                    $"customer_id {d.TypeName(FieldType.Text)} NOT NULL",
                    .. FeaturesV5.Select(name => FeatureCatalog.Find(name)!).Select(f => $"{d.QuoteIdentifier(f.Name)} {(f.Fractional ? d.DoubleType : d.TypeName(f.Type))}"),
                ],
                null,
                null),
            .. d.CreateIndex(Tables.CustomerFeatures, "as_of", "customer_id"),
            .. d.CreateTable(
                Tables.RfmScores,
                [
                    $"as_of {d.TimestampType} NOT NULL",
                    $"customer_id {d.TypeName(FieldType.Text)} NOT NULL",
                    $"recency_days {d.TypeName(FieldType.Integer)} NOT NULL",
                    $"frequency {d.TypeName(FieldType.Integer)} NOT NULL",
                    $"monetary {d.TypeName(FieldType.Number)} NOT NULL",
                    .. new[] { "r", "f", "m", "fm" }.Select(c => $"{c} {d.TypeName(FieldType.Integer)} NOT NULL"),
                    $"segment {d.TypeName(FieldType.Text)} NOT NULL",
                ],
                null,
                null),
            .. d.CreateIndex(Tables.RfmScores, "as_of", "customer_id"),
            $"""
            CREATE TABLE {T(d, Tables.AnalysisRuns)} (
                analysis {d.TypeName(FieldType.Text)} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                computed_at {d.TimestampType} NOT NULL,
                row_count {d.TypeName(FieldType.Integer)} NOT NULL,
                options {d.TypeName(FieldType.Text)} NOT NULL,
                PRIMARY KEY (analysis, as_of))
            """,
        ]),
        new(6, "cluster models: every fitted k-means model, the newest active", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.ClusterModels)} (
                version {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                fitted_at {d.TimestampType} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                k {d.TypeName(FieldType.Integer)} NOT NULL,
                customers {d.TypeName(FieldType.Integer)} NOT NULL,
                inertia {d.DoubleType} NOT NULL,
                model {d.TypeName(FieldType.Text)} NOT NULL)
            """,
        ]),
        new(7, "CLV: every fitted model, the newest active, and each customer's latest predictions", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.ClvModels)} (
                version {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                fitted_at {d.TimestampType} NOT NULL,
                model_kind {d.TypeName(FieldType.Text)} NOT NULL,
                calibration_end {d.TypeName(FieldType.Date)} NOT NULL,
                customers {d.TypeName(FieldType.Integer)} NOT NULL,
                log_likelihood {d.DoubleType} NOT NULL,
                model {d.TypeName(FieldType.Text)} NOT NULL)
            """,
            .. d.CreateTable(
                Tables.ClvPredictions,
                [
                    $"customer_id {d.TypeName(FieldType.Text)} NOT NULL",
                    $"model_version {d.TypeName(FieldType.Integer)} NOT NULL",
                    $"history_end {d.TypeName(FieldType.Date)} NOT NULL",
                    $"x {d.DoubleType} NOT NULL",
                    $"t_x {d.DoubleType} NOT NULL",
                    $"t {d.DoubleType} NOT NULL",
                    $"p_alive {d.DoubleType} NOT NULL",
                    $"expected_purchases {d.DoubleType} NOT NULL",
                    $"expected_spend {d.DoubleType}",
                    $"{d.QuoteIdentifier("value")} {d.DoubleType}",
                ],
                // One row per customer is the writer's guarantee (it replaces every row at once): a key
                // would make DuckDB check each appended row against an index, ten times the append's cost.
                null,
                null),
            .. d.CreateIndex(Tables.ClvPredictions, "customer_id"),
        ]),
        new(8, "campaigns with their frozen audiences; ingest runs count the records a mapping's `where` skipped", d =>
        [
            $"ALTER TABLE {T(d, Tables.IngestRuns)} ADD COLUMN skipped {d.TypeName(FieldType.Integer)} DEFAULT 0",
            $"""
            CREATE TABLE {T(d, Tables.Campaigns)} (
                name {d.TypeName(FieldType.Text)} PRIMARY KEY,
                launched_at {d.TimestampType} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                send_at {d.TimestampType} NOT NULL,
                customers {d.TypeName(FieldType.Integer)} NOT NULL,
                definition {d.TypeName(FieldType.Text)} NOT NULL)
            """,
            .. d.CreateTable(
                Tables.CampaignAssignments,
                [
                    $"campaign {d.TypeName(FieldType.Text)} NOT NULL",
                    $"customer_id {d.TypeName(FieldType.Text)} NOT NULL",
                    $"segment {d.TypeName(FieldType.Text)} NOT NULL",
                    $"arm {d.TypeName(FieldType.Text)} NOT NULL",
                ],
                // One row per customer and campaign is the launcher's guarantee (one append per campaign name, which is a key above).
                null,
                null),
            .. d.CreateIndex(Tables.CampaignAssignments, "campaign", "customer_id"),
        ]),
        new(9, "membership history as intervals (entered at one materialization, left at a later one) instead of a full copy per as-of; entered and exited counts; refresh runs; stored cluster scores", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.SegmentIntervals)} (
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                entered_at {d.TimestampType} NOT NULL,
                exited_at {d.TimestampType})
            """,
            .. d.CreateIndex(Tables.SegmentIntervals, "segment", "customer_id"),
            $"""
            CREATE TABLE {T(d, Tables.SegmentStaging)} (
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL)
            """,
            // Islands of consecutive materializations a customer was in become one interval each: it ends
            // at the segment's next materialization after the island's last, or stays open.
            $"""
            INSERT INTO {T(d, Tables.SegmentIntervals)} (segment, customer_id, entered_at, exited_at)
            SELECT i.segment, i.customer_id, i.entered_at, s.next_as_of
            FROM (
              SELECT segment, customer_id, min(as_of) AS entered_at, max(k) AS last_k
              FROM (
                SELECT m.segment, m.customer_id, m.as_of, s.k, s.k - row_number() OVER (PARTITION BY m.segment, m.customer_id ORDER BY m.as_of) AS island
                FROM {T(d, Tables.SegmentMemberships)} m
                JOIN (SELECT segment, as_of, row_number() OVER (PARTITION BY segment ORDER BY as_of) AS k FROM {T(d, Tables.SegmentMaterializations)}) s
                  ON s.segment = m.segment AND s.as_of = m.as_of
              ) n
              GROUP BY segment, customer_id, island
            ) i
            JOIN (
              SELECT segment, row_number() OVER (PARTITION BY segment ORDER BY as_of) AS k, lead(as_of) OVER (PARTITION BY segment ORDER BY as_of) AS next_as_of
              FROM {T(d, Tables.SegmentMaterializations)}
            ) s ON s.segment = i.segment AND s.k = i.last_k
            """,
            $"ALTER TABLE {T(d, Tables.SegmentMaterializations)} ADD COLUMN entered {d.TypeName(FieldType.Integer)} DEFAULT 0",
            $"ALTER TABLE {T(d, Tables.SegmentMaterializations)} ADD COLUMN exited {d.TypeName(FieldType.Integer)} DEFAULT 0",
            $"""
            UPDATE {T(d, Tables.SegmentMaterializations)} SET
              entered = (SELECT count(*) FROM {T(d, Tables.SegmentIntervals)} i WHERE i.segment = {T(d, Tables.SegmentMaterializations)}.segment AND i.entered_at = {T(d, Tables.SegmentMaterializations)}.as_of),
              exited = (SELECT count(*) FROM {T(d, Tables.SegmentIntervals)} i WHERE i.segment = {T(d, Tables.SegmentMaterializations)}.segment AND i.exited_at = {T(d, Tables.SegmentMaterializations)}.as_of)
            """,
            $"DROP TABLE {T(d, Tables.SegmentMemberships)}",
            .. d.CreateTable(
                Tables.ClusterScores,
                [
                    $"as_of {d.TimestampType} NOT NULL",
                    $"customer_id {d.TypeName(FieldType.Text)} NOT NULL",
                    $"id {d.TypeName(FieldType.Integer)}",
                    $"distance {d.DoubleType}",
                ],
                null,
                null),
            .. d.CreateIndex(Tables.ClusterScores, "as_of", "customer_id"),
            $"""
            CREATE TABLE {T(d, Tables.RefreshRuns)} (
                run_id {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                as_of {d.TimestampType} NOT NULL,
                started_at {d.TimestampType} NOT NULL,
                finished_at {d.TimestampType} NOT NULL,
                status {d.TypeName(FieldType.Text)} NOT NULL,
                failed_step {d.TypeName(FieldType.Text)},
                error {d.TypeName(FieldType.Text)},
                report {d.TypeName(FieldType.Text)} NOT NULL,
                profile {d.TypeName(FieldType.Text)})
            """,
        ]),
        new(10, "the refund_rate feature", d =>
        [
            $"ALTER TABLE {T(d, Tables.CustomerFeatures)} ADD COLUMN refund_rate {d.DoubleType}",
        ]),
        new(11, "computed traits' values, materialized by refresh", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.ComputedTraitValues)} (
                as_of {d.TimestampType} NOT NULL,
                trait {d.TypeName(FieldType.Text)} NOT NULL,
                version {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                number_value {d.DoubleType},
                text_value {d.TypeName(FieldType.Text)},
                time_value {d.TimestampType},
                date_value {d.TypeName(FieldType.Date)},
                bool_value {d.TypeName(FieldType.Boolean)},
                PRIMARY KEY (as_of, trait, customer_id))
            """,
        ]),
        new(12, "identity resolution: the identifiers events came with, identity links, each identifier's profile and its changes; erasure requests and suppressed identifiers", d =>
        [
            $"ALTER TABLE {T(d, Tables.Events)} ADD COLUMN {CanonicalModel.AnonymousId} {d.TypeName(FieldType.Text)}",
            $"ALTER TABLE {T(d, Tables.Events)} ADD COLUMN {CanonicalModel.UserId} {d.TypeName(FieldType.Text)}",
            $"ALTER TABLE {T(d, Tables.IngestRuns)} ADD COLUMN suppressed {d.TypeName(FieldType.Integer)} DEFAULT 0",
            $"""
            CREATE TABLE {T(d, Tables.IdentityLinks)} (
                kind_a {d.TypeName(FieldType.Text)} NOT NULL,
                id_a {d.TypeName(FieldType.Text)} NOT NULL,
                kind_b {d.TypeName(FieldType.Text)} NOT NULL,
                id_b {d.TypeName(FieldType.Text)} NOT NULL,
                seen_at {d.TimestampType},
                source {d.TypeName(FieldType.Text)} NOT NULL,
                run_id {d.TypeName(FieldType.Integer)} NOT NULL,
                outcome {d.TypeName(FieldType.Text)} NOT NULL,
                reason {d.TypeName(FieldType.Text)},
                undone_at {d.TimestampType},
                undo_reason {d.TypeName(FieldType.Text)},
                PRIMARY KEY (kind_a, id_a, kind_b, id_b))
            """,
            $"""
            CREATE TABLE {T(d, Tables.Identities)} (
                kind {d.TypeName(FieldType.Text)} NOT NULL,
                id {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                PRIMARY KEY (kind, id))
            """,
            .. d.CreateIndex(Tables.Identities, CanonicalModel.CustomerId),
            .. d.CreateIndex(Tables.Events, CanonicalModel.AnonymousId),
            $"""
            CREATE TABLE {T(d, Tables.IdentityChanges)} (
                change_id {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                run_id {d.TypeName(FieldType.Integer)},
                changed_at {d.TimestampType} NOT NULL,
                kind {d.TypeName(FieldType.Text)} NOT NULL,
                id {d.TypeName(FieldType.Text)} NOT NULL,
                from_customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                to_customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                reason {d.TypeName(FieldType.Text)} NOT NULL)
            """,
            $"""
            CREATE TABLE {T(d, Tables.Suppressions)} (
                kind {d.TypeName(FieldType.Text)} NOT NULL,
                hash {d.TypeName(FieldType.Text)} NOT NULL,
                request_id {d.TypeName(FieldType.Integer)} NOT NULL,
                suppressed_at {d.TimestampType} NOT NULL,
                PRIMARY KEY (kind, hash))
            """,
            $"""
            CREATE TABLE {T(d, Tables.Erasures)} (
                request_id {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                requested_at {d.TimestampType} NOT NULL,
                completed_at {d.TimestampType} NOT NULL,
                requested_by {d.TypeName(FieldType.Text)} NOT NULL,
                requested {d.TypeName(FieldType.Integer)} NOT NULL,
                customers {d.TypeName(FieldType.Integer)} NOT NULL,
                not_found {d.TypeName(FieldType.Integer)} NOT NULL,
                identifiers {d.TypeName(FieldType.Integer)} NOT NULL,
                rows_deleted {d.TypeName(FieldType.Integer)} NOT NULL,
                detail {d.TypeName(FieldType.Text)} NOT NULL)
            """,
            $"""
            CREATE TABLE {T(d, Tables.ErasedOutcomes)} (
                campaign {d.TypeName(FieldType.Text)} NOT NULL,
                request_id {d.TypeName(FieldType.Integer)} NOT NULL,
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                arm {d.TypeName(FieldType.Text)} NOT NULL,
                frozen_to {d.TimestampType} NOT NULL,
                conversions {d.TypeName(FieldType.Integer)} NOT NULL,
                revenue {d.DoubleType} NOT NULL,
                opens {d.TypeName(FieldType.Integer)} NOT NULL,
                clicks {d.TypeName(FieldType.Integer)} NOT NULL,
                visits {d.TypeName(FieldType.Integer)} NOT NULL,
                seconds {d.DoubleType} NOT NULL,
                clv_before {d.DoubleType},
                clv_after {d.DoubleType})
            """,
        ]),
        new(13, "activation: each destination's syncs, the members it has been sent, and the webhook outbox; near-real-time segment updates", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.SegmentLiveUpdates)} (
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                updated_at {d.TimestampType} NOT NULL,
                evaluated {d.TypeName(FieldType.Integer)} NOT NULL,
                entered {d.TypeName(FieldType.Integer)} NOT NULL,
                exited {d.TypeName(FieldType.Integer)} NOT NULL,
                clock_dependent {d.TypeName(FieldType.Boolean)} NOT NULL)
            """,
            .. d.CreateIndex(Tables.SegmentLiveUpdates, "segment", "updated_at"),
            $"""
            CREATE TABLE {T(d, Tables.SegmentLiveTouched)} (
                customer_id {d.TypeName(FieldType.Text)} NOT NULL)
            """,
            $"""
            CREATE TABLE {T(d, Tables.DestinationSyncs)} (
                sync_id {d.TypeName(FieldType.Integer)} PRIMARY KEY,
                destination {d.TypeName(FieldType.Text)} NOT NULL,
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                kind {d.TypeName(FieldType.Text)} NOT NULL,
                started_at {d.TimestampType} NOT NULL,
                finished_at {d.TimestampType} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                previous_as_of {d.TimestampType},
                audience {d.TypeName(FieldType.Integer)} NOT NULL,
                entered {d.TypeName(FieldType.Integer)} NOT NULL,
                exited {d.TypeName(FieldType.Integer)} NOT NULL,
                left_out {d.TypeName(FieldType.Integer)} NOT NULL,
                batches {d.TypeName(FieldType.Integer)} NOT NULL,
                files {d.TypeName(FieldType.Text)},
                detail {d.TypeName(FieldType.Text)})
            """,
            .. d.CreateIndex(Tables.DestinationSyncs, "destination", "segment"),
            $"""
            CREATE TABLE {T(d, Tables.DestinationMembers)} (
                destination {d.TypeName(FieldType.Text)} NOT NULL,
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                since {d.TimestampType} NOT NULL,
                PRIMARY KEY (destination, segment, customer_id))
            """,
            $"""
            CREATE TABLE {T(d, Tables.DestinationBatches)} (
                batch_id {d.TypeName(FieldType.Text)} PRIMARY KEY,
                destination {d.TypeName(FieldType.Text)} NOT NULL,
                sequence {d.TypeName(FieldType.Integer)} NOT NULL,
                sync_id {d.TypeName(FieldType.Integer)} NOT NULL,
                segment {d.TypeName(FieldType.Text)} NOT NULL,
                kind {d.TypeName(FieldType.Text)} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                part {d.TypeName(FieldType.Integer)} NOT NULL,
                parts {d.TypeName(FieldType.Integer)} NOT NULL,
                created_at {d.TimestampType} NOT NULL,
                status {d.TypeName(FieldType.Text)} NOT NULL,
                attempts {d.TypeName(FieldType.Integer)} NOT NULL,
                next_attempt_at {d.TimestampType},
                last_attempt_at {d.TimestampType},
                delivered_at {d.TimestampType},
                last_status {d.TypeName(FieldType.Integer)},
                last_error {d.TypeName(FieldType.Text)})
            """,
            .. d.CreateIndex(Tables.DestinationBatches, "destination", "status", "sequence"),
            $"""
            CREATE TABLE {T(d, Tables.DestinationBatchMembers)} (
                batch_id {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                change {d.TypeName(FieldType.Text)} NOT NULL,
                traits {d.TypeName(FieldType.Text)},
                PRIMARY KEY (batch_id, customer_id))
            """,
            $"""
            CREATE TABLE {T(d, Tables.DestinationStaging)} (
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                change {d.TypeName(FieldType.Text)} NOT NULL)
            """,
        ]),
        new(14, "uplift: models fitted on randomized campaigns and every customer's predicted uplift", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.UpliftModels)} (
                campaign {d.TypeName(FieldType.Text)} NOT NULL,
                version {d.TypeName(FieldType.Integer)} NOT NULL,
                fitted_at {d.TimestampType} NOT NULL,
                as_of {d.TimestampType} NOT NULL,
                model {d.TypeName(FieldType.Text)} NOT NULL,
                PRIMARY KEY (campaign, version))
            """,
            $"""
            CREATE TABLE {T(d, Tables.UpliftScores)} (
                campaign {d.TypeName(FieldType.Text)} NOT NULL,
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                conversion {d.DoubleType},
                revenue {d.DoubleType},
                visit {d.DoubleType},
                baseline {d.DoubleType},
                quadrant {d.TypeName(FieldType.Text)},
                PRIMARY KEY (campaign, customer_id))
            """,
        ]),
        new(15, "customers without a primary key where the warehouse pays for its index at every load (DuckDB); every writer keeps customer ids unique", d =>
            d.DropCostlyKey(Tables.Customers, CanonicalModel.CustomerId)),
        new(16, "per-customer rows of computed traits, uplift scores, destinations and identity resolution without a primary key where the warehouse pays for its index at every write (DuckDB); each writer adds one row per customer and key", d =>
        [
            .. d.DropCostlyKey(Tables.IdentityLinks, "kind_a", "id_a", "kind_b", "id_b", "source", "run_id", "outcome"),
            .. d.DropCostlyKey(Tables.Identities, "kind", "id", CanonicalModel.CustomerId),
            .. d.DropCostlyKey(Tables.IdentityChanges, "change_id", "changed_at", "kind", "id", "from_customer_id", "to_customer_id", "reason"),
            .. d.DropCostlyKey(Tables.ComputedTraitValues, "as_of", "trait", "version", CanonicalModel.CustomerId),
            .. d.DropCostlyKey(Tables.UpliftScores, "campaign", CanonicalModel.CustomerId),
            .. d.DropCostlyKey(Tables.DestinationMembers, "destination", "segment", CanonicalModel.CustomerId, "since"),
            .. d.DropCostlyKey(Tables.DestinationBatchMembers, "batch_id", CanonicalModel.CustomerId, "change"),
        ]),
        new(17, "the stored event ids' hashes, which a load's duplicate check scans instead of the ids, where event ids have no index (DuckDB)", d =>
            d.CreateEventIdHashes()),
        new(18, "the per-customer order summary that analyses read instead of the purchase and refund events while it is current", d =>
        [
            $"""
            CREATE TABLE {T(d, Tables.OrderSummary)} (
                customer_id {d.TypeName(FieldType.Text)} NOT NULL,
                p_first {d.TimestampType},
                p_last {d.TimestampType},
                p_orders {d.TypeName(FieldType.Integer)},
                p_days {d.TypeName(FieldType.Integer)},
                p_net {d.SumType},
                p_gross {d.SumType},
                r_amount {d.SumType},
                r_count {d.TypeName(FieldType.Integer)})
            """,
            $"""
            CREATE TABLE {T(d, Tables.OrderSummaryState)} (
                events {d.TypeName(FieldType.Integer)} NOT NULL,
                fingerprint {d.TypeName(FieldType.Text)} NOT NULL,
                last_at {d.TimestampType},
                zone {d.TypeName(FieldType.Text)} NOT NULL)
            """,
        ]),
    ];

    /// <summary>
    /// The tables a sharded warehouse partitions across its workers, by customer, each with the key
    /// its workers enforce (customers are unique per id; events are looked up by id to drop repeats).
    /// </summary>
    public static IReadOnlyList<DistributedTable> DistributedTables { get; } =
    [
        new(Tables.Customers, CanonicalModel.CustomerId, UniqueKey: CanonicalModel.CustomerId, IndexedKey: null),
        new(Tables.Events, CanonicalModel.CustomerId, UniqueKey: null, IndexedKey: CanonicalModel.EventId),
    ];

    /// <summary>The newest version.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>A table's name quoted: the migrations name every table through <see cref="Tables"/> and the dialect.</summary>
    private static string T(ISqlDialect d, string table) => d.QuoteIdentifier(table);

    private static IReadOnlyList<string> Table(ISqlDialect d, string name, IEnumerable<FieldDefinition> fields, string? primaryKey)
    {
        var columns = fields.Select(f =>
        {
            var notNull = f.Name is CanonicalModel.CustomerId or CanonicalModel.EventId or CanonicalModel.EventType or CanonicalModel.OccurredAt;
            return $"{d.QuoteIdentifier(f.Name)} {d.TypeName(f.Type)}{(notNull ? " NOT NULL" : "")}";
        }).ToList();
        return d.CreateTable(name, columns, primaryKey, CanonicalModel.CustomerId);
    }
}

/// <summary>A table a sharded warehouse spreads over its workers.</summary>
/// <param name="Name">The table.</param>
/// <param name="ShardKey">The column its rows are hash-partitioned by.</param>
/// <param name="UniqueKey">The column each worker keeps unique, if any.</param>
/// <param name="IndexedKey">The column each worker indexes, if any.</param>
public sealed record DistributedTable(string Name, string ShardKey, string? UniqueKey, string? IndexedKey);
