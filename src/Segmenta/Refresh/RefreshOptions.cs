using System.Globalization;
using Segmenta.Clv;
using Segmenta.Configuration;

namespace Segmenta.Refresh;

/// <summary>When a refresh raises a drift alert.</summary>
/// <param name="SizeChange">A segment whose size changed by more than this share of its previous size…</param>
/// <param name="MinSizeChange">…and by at least this many customers (small segments wobble).</param>
/// <param name="Psi">A feature whose population stability index since the previous snapshot reaches this.</param>
/// <param name="CentroidShift">
/// A cluster whose members' mean lies this far from the model's centroid, in units of the model's
/// root-mean-square distance to a centroid at the fit (so 0.5 is half a typical member's distance).
/// </param>
public sealed record DriftThresholds(double SizeChange = 0.2, long MinSizeChange = 25, double Psi = PopulationStability.Significant, double CentroidShift = 0.5);

/// <summary>The <c>refresh:</c> section of <c>segmenta.yaml</c>: how CLV is valued at each refresh, and the drift thresholds.</summary>
/// <param name="Clv">Horizon, discount and margin of the predicted value stored at each refresh.</param>
/// <param name="Drift">When to raise an alert.</param>
public sealed record RefreshOptions(ClvValueOptions Clv, DriftThresholds Drift)
{
    /// <summary>Twelve months at 10% a year on revenue; the default thresholds.</summary>
    public static RefreshOptions Default { get; } = new(new ClvValueOptions(), new DriftThresholds());

    /// <summary>Reads the section; every mistake names its line and column.</summary>
    internal static RefreshOptions Parse(YamlSection section)
    {
        section.RejectUnknownKeys("clv", "drift");
        var clv = Default.Clv;
        if (section.GetSection("clv") is { } c)
        {
            c.RejectUnknownKeys("horizon", "discount", "margin");
            var horizon = clv.HorizonDays;
            if (c.GetString("horizon") is { } text && ClvValueOptions.TryParseHorizon(text, out horizon) is { } problem)
            {
                throw c.ErrorAt("horizon", problem);
            }

            clv = new ClvValueOptions(horizon, c.GetNumber("discount", 0) ?? clv.AnnualDiscount, c.GetShare("margin") ?? clv.Margin);
            if (clv.Problem() is { } wrong)
            {
                throw c.ErrorHere(wrong);
            }
        }

        var drift = Default.Drift;
        if (section.GetSection("drift") is { } d)
        {
            d.RejectUnknownKeys("size_change", "min_size_change", "psi", "centroid_shift");
            drift = new DriftThresholds(
                d.GetShare("size_change") ?? drift.SizeChange,
                (long)(d.GetNumber("min_size_change", 0) ?? drift.MinSizeChange),
                d.GetNumber("psi", 0) ?? drift.Psi,
                d.GetNumber("centroid_shift", 0) ?? drift.CentroidShift);
        }

        return new RefreshOptions(clv, drift);
    }

    /// <summary>The section as YAML lines (for <c>segmenta.yaml</c>), the same every time for the same options.</summary>
    internal IEnumerable<string> ToYaml()
    {
        var inv = CultureInfo.InvariantCulture;
        yield return "refresh:                     # segmenta refresh (docs/refresh.md)";
        yield return "  clv:                        # the value stored at each refresh";
        yield return string.Create(inv, $"    horizon: {Clv.HorizonDays / ClvValueOptions.DaysPerMonth:0.##} months");
        yield return string.Create(inv, $"    discount: {Clv.AnnualDiscount:0.####}");
        yield return string.Create(inv, $"    margin: {Clv.Margin:0.####}");
        yield return "  drift:                      # when a refresh raises an alert";
        yield return string.Create(inv, $"    size_change: {Drift.SizeChange:0.####}          # a segment's size moved by more than this share…");
        yield return string.Create(inv, $"    min_size_change: {Drift.MinSizeChange}      # …and by at least this many customers");
        yield return string.Create(inv, $"    psi: {Drift.Psi:0.####}                 # a feature's population stability index reached this");
        yield return string.Create(inv, $"    centroid_shift: {Drift.CentroidShift:0.####}       # a cluster's members moved this far from its centroid (in RMS radii)");
    }
}
