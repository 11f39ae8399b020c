using System.Globalization;
using System.Net;
using System.Text;

namespace Segmenta.Personas;

/// <summary>
/// A persona as a card: a heading and labelled lines, the same in every rendering (terminal,
/// Markdown, HTML), so the renderings differ only in markup.
/// </summary>
/// <param name="Heading">The generated name.</param>
/// <param name="Subheading">The segment and its title.</param>
/// <param name="Lines">(label, text) in order.</param>
public sealed record PersonaCard(string Heading, string Subheading, IReadOnlyList<(string Label, string Text)> Lines)
{
    /// <summary>Measures shown under "stands out": the most distinctive, at least this far from the base in standard deviations.</summary>
    public const double Noticeable = 0.2;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The card of a report; money in <paramref name="currency"/>.</summary>
    public static PersonaCard Of(PersonaReport report, string currency)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = new List<(string, string)>
        {
            ("size", string.Create(Inv, $"{report.Size:N0} customers: {Pct(report.ShareOfCustomers, 1)} of customers, {Pct(report.ShareOfRevenue, 1)} of net revenue ({report.Revenue:N0} {currency}, purchases less refunds)")),
        };
        var standsOut = report.Measures.Where(m => Math.Abs(m.Difference) >= Noticeable).Take(4).Select(m =>
            string.Create(Inv, $"{m.Name} {Value(m, m.Median)} vs {Value(m, m.BaseMedian)} median, mean index {(double.IsNaN(m.Index) ? "n/a" : m.Index.ToString("0", Inv))}")).ToList();
        lines.Add(("stands out", standsOut.Count == 0 ? "nothing: close to the whole base on every measure" : string.Join(" · ", standsOut)));
        if (report.OverIndexing.Count > 0)
        {
            lines.Add(("over-indexes", string.Join(" · ", report.OverIndexing.Take(4).Select(l =>
                string.Create(Inv, $"{l.Trait} = {l.Level}: {Pct(l.Share, 0)} vs {Pct(l.BaseShare, 0)} (lift {l.Lift:0.0}, n = {l.Members:N0})")))));
        }

        if (report.Buys is { Count: > 0 } buys)
        {
            lines.Add(("buys more of", string.Join(" · ", buys.Take(4).Select(l =>
                string.Create(Inv, $"{(l.Label is { } label ? $"{label} ({l.Level})" : l.Level)}: {Pct(l.Share, 0)} of members vs {Pct(l.BaseShare, 0)} (lift {l.Lift:0.0})")))));
        }

        if (report.Channels.Count > 0)
        {
            lines.Add(("channels", string.Join(" · ", report.Channels.Where(c => c.Members > 0).Select(c => $"{c.Name} {Pct(c.Share, 0)}"))));
        }

        if (report.Reachable is { Count: > 0 } reachable)
        {
            lines.Add(("reachable", string.Join(" · ", reachable.Select(r => $"{r.Name} {Pct(r.Share, 0)} consented (all customers {Pct(r.BaseShare, 0)})"))));
        }

        var engagement = new[] { ("email_open_rate", "e-mail opens"), ("email_click_rate", "clicks"), ("sessions", "sessions"), ("ad_click_rate", "ad clicks") }
            .Select(x => (report.Measure(x.Item1), x.Item2))
            .Where(x => x.Item1 is { Present: > 0 })
            .Select(x => string.Create(Inv, $"{x.Item2} {Value(x.Item1!, x.Item1!.Mean)} (index {(double.IsNaN(x.Item1.Index) ? "n/a" : x.Item1.Index.ToString("0", Inv))})"))
            .ToList();
        if (engagement.Count > 0)
        {
            lines.Add(("engagement", string.Join(" · ", engagement)));
        }

        var mix = report.RfmMix.Where(s => s.Members > 0).OrderByDescending(s => s.Members).Take(4).Select(s => $"{s.Name} {Pct(s.Share, 0)}").ToList();
        if (mix.Count > 0)
        {
            lines.Add(("RFM mix", string.Join(" · ", mix)));
        }

        if (report.Lifetime is { Predicted: > 0 } clv)
        {
            // A collapsed P(alive) (almost everyone near 1) is no churn signal: it is not shown as one.
            var alive = clv.ProbabilityAliveInformative
                ? string.Create(Inv, $"P(alive) {clv.MeanProbabilityAlive:0.00} vs {clv.BaseMeanProbabilityAlive:0.00}, {Pct(clv.Predicted == 0 ? 0 : (double)clv.LikelyInactive / clv.Predicted, 0)} likely inactive")
                : "P(alive) not shown: the model sees almost no dropout in this data, so it cannot tell who has lapsed (use recency)";
            lines.Add(("lifetime value", string.Create(Inv, $"{clv.MeanValue:N0} {currency} predicted per customer vs {clv.BaseMeanValue:N0} overall, {Pct(clv.ShareOfValue, 1)} of all predicted value · {alive} (CLV model {clv.ModelVersion}, histories through {clv.HistoryEnd:yyyy-MM-dd})")));
            if (clv.Warnings is { Count: > 0 } warnings)
            {
                lines.Add(("CLV caution", string.Join(" · ", warnings)));
            }
        }

        foreach (var uplift in (report.Uplift ?? []).Where(u => u.Scored > 0))
        {
            var quadrants = string.Join(" · ", uplift.Quadrants.Select(q => $"{q.Name.Replace('_', ' ')}s {Pct(q.Share, 0)} (vs {Pct(q.BaseShare, 0)})"));
            var caution = uplift.RankingInformative ? "" : " — the model's ranking did not beat chance on held-out customers: read these as its guess, not evidence";
            lines.Add(($"response to {uplift.Campaign}", string.Create(Inv, $"{quadrants}; predicted conversion uplift {uplift.MeanConversionUplift * 100:+0.00;-0.00} pts vs {uplift.BaseMeanConversionUplift * 100:+0.00;-0.00} overall (uplift model {uplift.ModelVersion}){caution}")));
        }

        lines.Add(("strategy", report.Strategy));
        lines.Add(("why", $"{report.StrategyReason}; named for: {string.Join("; ", report.NameReasons)}"));
        return new PersonaCard(report.Name, report.Title is { } title ? $"{report.Segment} · {title}" : report.Segment, lines);
    }

    /// <summary>The card as Markdown: a level-3 heading and a list.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(Inv, $"### {Heading}\n\n*{Subheading}*\n\n");
        foreach (var (label, line) in Lines)
        {
            text.Append(Inv, $"- **{label}**: {line}\n");
        }

        return text.ToString();
    }

    /// <summary>A self-contained HTML page of cards (no scripts, no external resources).</summary>
    public static string ToHtml(IEnumerable<PersonaCard> cards, string title)
    {
        ArgumentNullException.ThrowIfNull(cards);
        var html = new StringBuilder();
        html.Append(Inv, $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; background: #f6f7f9; color: #1d2330; }
            .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(26rem, 1fr)); gap: 1rem; }
            .card { background: #fff; border-radius: 8px; padding: 1rem 1.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
            .card h2 { margin: 0; font-size: 1.2rem; }
            .card .segment { color: #5b6475; margin: .2rem 0 .8rem; }
            .card dt { font-weight: 600; margin-top: .5rem; }
            .card dd { margin: 0; }
            </style>
            </head>
            <body>
            <h1>{{WebUtility.HtmlEncode(title)}}</h1>
            <div class="cards">

            """);
        foreach (var card in cards)
        {
            html.Append(Inv, $"<section class=\"card\">\n<h2>{WebUtility.HtmlEncode(card.Heading)}</h2>\n<p class=\"segment\">{WebUtility.HtmlEncode(card.Subheading)}</p>\n<dl>\n");
            foreach (var (label, line) in card.Lines)
            {
                html.Append(Inv, $"<dt>{WebUtility.HtmlEncode(label)}</dt><dd>{WebUtility.HtmlEncode(line)}</dd>\n");
            }

            html.Append("</dl>\n</section>\n");
        }

        html.Append("</div>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Pct(double share, int decimals) => PersonaPlaybook.Percent(share, decimals);

    /// <summary>A value in the measure's unit: shares as percentages.</summary>
    private static string Value(PersonaMeasure m, double value) =>
        double.IsNaN(value) ? "n/a" : m.Unit.StartsWith("share", StringComparison.Ordinal) ? Pct(value, 1) : PersonaPlaybook.Show(value);
}
