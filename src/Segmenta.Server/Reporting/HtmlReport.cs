using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenta.Clustering;
using Segmenta.Language;
using Segmenta.Documents;
using Segmenta.Server.Hosting;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Server.Reporting;

/// <summary>What a report holds.</summary>
/// <param name="Html">The self-contained page.</param>
/// <param name="Documents">Documents saved in it, one per API path the views read.</param>
/// <param name="Missing">Paths the core could not answer (saved as the API's problem: the view shows the same notice the dashboard would).</param>
public sealed record ReportResult(string Html, int Documents, IReadOnlyList<string> Missing);

/// <summary>
/// <c>segmenta report</c>: the dashboard as one HTML file that needs no server and no network. The report
/// builds, in process, every document the dashboard's views read (the same <see cref="WorkspaceViews"/> the API
/// answers from, keyed by the API path that answers it), and writes the bundled script and stylesheet with those
/// documents into one page. A view the core cannot answer (no cluster model yet) is saved as the problem the API
/// would answer, so the view shows the same notice. The same inputs give the same bytes: the as-of is an input and
/// when and how long the work ran is left out.
/// </summary>
public static class HtmlReport
{
    private static readonly JsonSerializerOptions Json = ResultJson.Configure(new JsonSerializerOptions());

    /// <summary>Builds the report of <paramref name="workspace"/> as of <paramref name="asOf"/> (UTC); the warehouse stays open, the caller's.</summary>
    public static ReportResult Build(Workspace workspace, IWarehouse warehouse, DateTime asOf, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(warehouse);
        var views = new WorkspaceViews(workspace, warehouse);
        // Every view reads the same instant: features, RFM and clusters are computed once for all of them, not once per segment.
        // A segment's page shows the SQL a user could run, which computes them itself.
        var plain = new EvaluationContext(asOf, workspace.Settings.Zone);
        using var computed = ComputedAnalyses.Compute(warehouse, plain, workspace.Settings.Rfm, ClusterAnalysis.Active(warehouse), cancellation);
        var context = computed.Context;
        var report = new Collected(cancellation);

        report.Add("/api/status", views.Status);
        report.Add("/api/rfm", () => views.Rfm(context));
        report.Add("/api/clusters", () => views.Clusters(ClusterProjection.DefaultSample));
        report.Add("/api/clv", () => views.Clv(context));

        // Each persona is described against the same base whichever segments are asked for together, so one
        // segment's answer is its entry of the answer for all (the server tests check this): describing them
        // once instead of once per segment saves most of the report's time.
        var personas = report.Add("/api/personas", () => views.Personas(context));
        var segments = report.Add("/api/segments", views.Segments);
        foreach (var name in segments?.Segments.Select(s => s.Name) ?? [])
        {
            var q = Uri.EscapeDataString(name);
            report.Add($"/api/segments/{q}", () => views.Segment(name, plain));
            report.Add($"/api/segments/{q}/preview", () => views.Preview(name, context, null, 10));
            report.Add($"/api/segments/{q}/history", () => views.History(name));
            var persona = personas?.Personas.FirstOrDefault(p => p.Report.Segment == name);
            report.Add($"/api/personas?segments={q}", () => persona is not null ? personas! with { Personas = [persona] } : views.Personas(context, [name]));
        }

        foreach (var campaign in report.Add("/api/campaigns", views.Campaigns) ?? [])
        {
            report.Add($"/api/campaigns/{Uri.EscapeDataString(campaign.Name)}/results", () => views.CampaignResults(campaign.Name, null, cancellation));
        }

        report.Add("/api/destinations", views.Destinations);
        report.Add("/api/insights", () => views.Insights(cancellation: cancellation));

        // The migration view opens on the family's first and last snapshots.
        var history = report.Add("/api/history", views.Histories);
        foreach (var (family, prefix) in new[] { ("rfm", "rfm_"), ("clusters", "cluster_") })
        {
            var instants = (history?.Segments ?? [])
                .Where(h => h.Segment.StartsWith(prefix, StringComparison.Ordinal))
                .SelectMany(h => h.Materializations.Select(m => m.AsOf))
                .Distinct().Order(StringComparer.Ordinal).ToList();
            if (instants.Count >= 2)
            {
                var from = workspace.Settings.Instant("from", instants[0]);
                var to = workspace.Settings.Instant("to", instants[^1]);
                report.Add($"/api/migration?family={family}&from={Uri.EscapeDataString(instants[0])}&to={Uri.EscapeDataString(instants[^1])}", () => views.Migration(family, from, to, 10));
            }
        }

        var json = new JsonObject
        {
            ["as_of"] = DocumentValues.Iso(asOf),
            ["workspace"] = workspace.Settings.Name,
            ["documents"] = report.Documents,
        };
        var html = Dashboard.Report(json.ToJsonString(Json), $"Segmenta report · {workspace.Settings.Name} · {asOf:yyyy-MM-dd}");
        return new ReportResult(html, report.Documents.Count, report.Missing);
    }

    /// <summary>The documents by API path, and the paths the core could not answer.</summary>
    private sealed class Collected(CancellationToken cancellation)
    {
        public JsonObject Documents { get; } = [];

        public List<string> Missing { get; } = [];

        /// <summary>Saves the document <paramref name="view"/> answers under <paramref name="path"/>, or the problem the API would answer.</summary>
        public T? Add<T>(string path, Func<T> view)
            where T : class
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                var document = view();
                var node = JsonSerializer.SerializeToNode(document, Json);
                WithoutTimings(node);
                Documents[path] = node;
                return document;
            }
            catch (SegmentaException e)
            {
                var (status, title, detail) = Problems.Of(e);
                Missing.Add($"{path}: {status} {detail}");
                Documents[path] = new JsonObject
                {
                    ["__problem"] = true,
                    ["status"] = status,
                    ["title"] = title,
                    ["detail"] = detail,
                };
                return null;
            }
        }

        /// <summary>
        /// Drops when and how long the work ran (<c>seconds</c>, <c>materialized_at</c>, a sync's <c>started_at</c> and
        /// <c>finished_at</c>): facts about the runs, not the data; they differ run to run, the report must not. The views do
        /// not show them (a destination's last sync shows the membership instant it sent instead).
        /// </summary>
        private static void WithoutTimings(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    o.Remove("seconds");
                    o.Remove("materialized_at");
                    o.Remove("started_at");
                    o.Remove("finished_at");
                    foreach (var (_, child) in o)
                    {
                        WithoutTimings(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        WithoutTimings(child);
                    }

                    break;
            }
        }
    }
}
