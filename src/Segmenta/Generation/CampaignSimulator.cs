using System.Globalization;
using System.Text;
using Segmenta.Campaigns;
using Segmenta.Numerics;

namespace Segmenta.Generation;

/// <summary>The truth of one segment in a simulated campaign.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="BaseRate">The chance a customer buys in the window anyway (the holdout's conversion rate).</param>
/// <param name="VariantLift">The extra chance of a purchase the segment's own variant causes.</param>
/// <param name="BroadcastLift">The extra chance the generic broadcast message causes.</param>
/// <param name="OrderValue">The mean order value.</param>
public sealed record TrueEffect(string Segment, double BaseRate, double VariantLift, double BroadcastLift, double OrderValue);

/// <summary>
/// Writes the outcomes of a launched campaign with known, segment-specific effects, as ordinary events
/// (CSV with canonical columns): sends, opens and clicks tagged with the campaign, visits, and purchases —
/// the ones that would have happened anyway and the ones the campaign caused. Deterministic for a seed.
/// </summary>
public static class CampaignSimulator
{
    /// <summary>The header of the file written.</summary>
    public const string Header = "customer_id,event_type,occurred_at,revenue,channel,campaign_id,duration_seconds";

    /// <summary>Writes the events of the window after <paramref name="sendAt"/> and returns how many.</summary>
    public static long Write(CampaignDefinition campaign, CampaignAssignment assignment, IReadOnlyList<TrueEffect> truth, DateTime sendAt, int seed, string path)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(truth);
        var effects = truth.ToDictionary(t => t.Segment, StringComparer.Ordinal);
        var window = campaign.Outcome.WindowDays;
        var inv = CultureInfo.InvariantCulture;
        long events = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine(Header);
        for (var i = 0; i < assignment.CustomerIds.Length; i++)
        {
            var id = assignment.CustomerIds[i];
            var arm = assignment.Arms[i];
            var effect = effects[assignment.Segments[i]];
            var random = Xoshiro.For(seed, i, 0xCA3A1);
            var treated = arm != CampaignDefinition.HoldoutArm;
            var channel = treated ? campaign.TreatedArms.First(a => a.Name == arm).Channel ?? "email" : null;

            void Emit(string type, double afterDays, string? revenue = null, string? duration = null, bool tagged = true)
            {
                var at = sendAt.AddSeconds(Math.Floor(afterDays * 86_400));
                writer.WriteLine(string.Create(inv, $"{id},{type},{at:yyyy-MM-dd'T'HH:mm:ss'Z'},{revenue},{(tagged ? channel : "")},{(tagged ? campaign.Name : "")},{duration}"));
                events++;
            }

            string Order() => Math.Round(effect.OrderValue * random.Gamma(4, 4), 2).ToString("0.00", inv);

            if (treated && channel == "push")
            {
                if (random.Chance(0.3))
                {
                    Emit("push_open", random.NextDouble() * 2);
                }
            }
            else if (treated)
            {
                Emit("email_sent", 0);
                if (random.Chance(0.35))
                {
                    Emit("email_open", random.NextDouble() * 2);
                    if (random.Chance(0.25))
                    {
                        Emit("email_click", 2 + (random.NextDouble() * 0.1));
                        Emit("session", 2.1, duration: (60 + Math.Round(random.Exponential(1.0 / 240))).ToString(inv));
                    }
                }
            }

            if (random.Chance(0.15))
            {
                Emit("session", random.NextDouble() * window, duration: (30 + Math.Round(random.Exponential(1.0 / 180))).ToString(inv), tagged: false);
            }

            if (random.Chance(effect.BaseRate))
            {
                Emit("purchase", random.NextDouble() * window, Order(), tagged: false);
            }

            var lift = arm == CampaignDefinition.BroadcastArm ? effect.BroadcastLift : treated ? effect.VariantLift : 0;
            if (random.Chance(lift))
            {
                Emit("purchase", 2 + (random.NextDouble() * (window - 2)), Order());
            }
        }

        return events;
    }
}
