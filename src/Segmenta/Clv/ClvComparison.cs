namespace Segmenta.Clv;

/// <summary>One purchase model fitted to the workspace's histories for <see cref="ClvComparison"/>.</summary>
/// <param name="Kind">The model.</param>
/// <param name="Model">The fit with its diagnostics (null when it failed).</param>
/// <param name="Problem">Why it failed.</param>
public sealed record ClvCandidate(PurchaseModelKind Kind, ClvModel? Model, string? Problem)
{
    /// <summary>Whether the fit is usable as it stands: fitted, and no warning about the purchase model or its diagnostics.</summary>
    public bool Clean => Model is { } m && m.Purchases.Warnings.Count == 0 && (m.Diagnostics?.Warnings.Count ?? 0) == 0;
}

/// <summary>The continuous-time purchase models side by side on one calibration period, and the one to use.</summary>
/// <param name="Candidates">Each model, in the order BG/NBD, MBG/NBD, Pareto/NBD.</param>
/// <param name="Recommended">The clean fit with the smallest holdout error (then the highest ln L); null when no fit is clean.</param>
/// <param name="Reason">Why that one, or why none.</param>
public sealed record ClvComparisonResult(IReadOnlyList<ClvCandidate> Candidates, PurchaseModelKind? Recommended, string Reason);

/// <summary>
/// <c>clv compare</c>: fits BG/NBD, MBG/NBD and Pareto/NBD to the same histories with their diagnostics. All three
/// have four parameters, so ln L compares directly (as AIC would); the holdout check's mean absolute error
/// compares forecasts. A model with a warning (a degenerate parameter, a collapsed P(alive), a holdout forecast
/// off by more than 20%) is not recommended however well it scores.
/// </summary>
public static class ClvComparison
{
    /// <summary>The models compared.</summary>
    public static IReadOnlyList<PurchaseModelKind> Kinds { get; } = [PurchaseModelKind.BgNbd, PurchaseModelKind.MbgNbd, PurchaseModelKind.ParetoNbd];

    /// <summary>Fits each model with <paramref name="fit"/> and picks one.</summary>
    public static ClvComparisonResult Compare(Func<PurchaseModelKind, ClvModel> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var candidates = Kinds.Select(kind =>
        {
            try
            {
                return new ClvCandidate(kind, fit(kind), null);
            }
            catch (ModelFitException e)
            {
                return new ClvCandidate(kind, null, e.Message);
            }
        }).ToList();
        var clean = candidates.Where(c => c.Clean).ToList();
        if (clean.Count == 0)
        {
            return new ClvComparisonResult(candidates, null, "no model fits this data cleanly (see each one's warnings): treat P(alive) and predicted purchases as rough, and prefer RFM recency to find lapsed customers");
        }

        var best = clean
            .OrderBy(c => c.Model!.Diagnostics?.Holdout?.MeanAbsoluteError ?? double.PositiveInfinity)
            .ThenByDescending(c => c.Model!.Purchases.LogLikelihood)
            .First();
        var reason = best.Model!.Diagnostics?.Holdout is { } h
            ? FormattableString.Invariant($"the smallest holdout error among the fits without warnings ({h.MeanAbsoluteError:0.###} purchases per customer)")
            : "the highest ln L among the fits without warnings (the data are too short for a holdout check)";
        return new ClvComparisonResult(candidates, best.Kind, reason);
    }
}
