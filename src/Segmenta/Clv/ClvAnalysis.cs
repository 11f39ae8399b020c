using System.Globalization;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Clv;

/// <summary>One customer's repeat-purchase summary, as the CLV models read it.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="History">x, t_x and T in the summary's unit.</param>
/// <param name="MeanSpend">Mean value of the repeat transaction days (null without any).</param>
/// <param name="HoldoutPurchases">Purchase days in the holdout period.</param>
/// <param name="HoldoutSpend">Revenue in the holdout period.</param>
public sealed record ClvCustomer(string CustomerId, RepeatHistory History, double? MeanSpend, long HoldoutPurchases, double HoldoutSpend);

/// <summary>One customer's predictions.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="History">The history they condition on.</param>
/// <param name="ProbabilityAlive">P(alive) at the end of the history.</param>
/// <param name="ExpectedPurchases">Expected purchases over the horizon.</param>
/// <param name="ExpectedSpend">Expected value per purchase (Gamma-Gamma); null without a spend model.</param>
/// <param name="Value">Discounted expected value over the horizon, times the margin; null without a spend model.</param>
public sealed record ClvPrediction(string CustomerId, RepeatHistory History, double ProbabilityAlive, double ExpectedPurchases, double? ExpectedSpend, double? Value);

/// <summary>Predictions for every customer with a purchase by <see cref="HistoryEnd"/>, ordered by customer id.</summary>
/// <param name="Model">The fit used.</param>
/// <param name="HistoryEnd">The last day of the histories.</param>
/// <param name="Options">Horizon, discount and margin.</param>
/// <param name="Customers">Each customer's predictions.</param>
public sealed record ClvPredictions(ClvModel Model, DateOnly HistoryEnd, ClvValueOptions Options, IReadOnlyList<ClvPrediction> Customers)
{
    /// <summary>The sum of the values (0 without a spend model).</summary>
    public double TotalValue => Customers.Sum(c => c.Value ?? 0);

    /// <summary>The sum of the expected purchases.</summary>
    public double TotalPurchases => Customers.Sum(c => c.ExpectedPurchases);
}

/// <summary>
/// Customer lifetime value (docs/clv.md): the repeat-purchase summary computed in SQL, BG/NBD or
/// Pareto/NBD and Gamma-Gamma fitted in memory over distinct histories, fits stored with versions
/// (<c>clv_models</c>; the newest is active), and every customer's predictions stored in
/// <c>clv_predictions</c>, where segments read them as <c>clv.value</c>, <c>clv.p_alive</c>, ….
/// </summary>
public static class ClvAnalysis
{
    /// <summary>The prefix of CLV fields in segment text.</summary>
    public const string Namespace = "clv";

    /// <summary>Predictions stored per append: small next to the predictions, large enough that an append's fixed cost does not count.</summary>
    private const int AppendSlice = 262_144;

    /// <summary>
    /// The last whole calendar day before <paramref name="context"/>'s as-of: a history ends there, so no
    /// purchase at or after the as-of instant is seen (a day the as-of cuts in two is left out).
    /// </summary>
    public static DateOnly LastCompleteDay(EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(context.AsOf, context.Zone)).AddDays(-1);
    }

    /// <summary>Every customer's summary for the period (summarized in memory from one read of their purchase days), ordered by customer id.</summary>
    public static IReadOnlyList<ClvCustomer> ReadSummary(IWarehouse warehouse, TimeZoneInfo zone, SummaryPeriod period) =>
        PurchaseDays.Read(warehouse, zone, period.LastDay).Summary(period);

    /// <summary>
    /// Fits the purchase model and Gamma-Gamma to the customers' calibration summaries. A purchase fit that
    /// fails throws <see cref="ModelFitException"/>; a spend fit that fails leaves the model without values
    /// (with the reason in <see cref="ClvModel.SpendProblem"/>).
    /// </summary>
    public static ClvModel Fit(IReadOnlyList<ClvCustomer> customers, PurchaseModelKind kind, SummaryUnit unit, DateOnly calibrationEnd)
    {
        ArgumentNullException.ThrowIfNull(customers);

        // The two fits share nothing and each is deterministic by itself: the spend fit runs beside the purchase fit
        // (1M customers: 0.4 s of 1.3 s off the wall clock on 2 cores).
        var spendFit = Task.Run(() => FitSpend(customers));
        var purchases = ClvFitter.FitPurchases(kind, HistoryGroups.Of(customers));
        var (spend, problem) = spendFit.GetAwaiter().GetResult();
        return new ClvModel(0, kind, unit, calibrationEnd, purchases, spend, problem);
    }

    /// <summary>The Gamma-Gamma fit to the customers with repeat spend, or why there is none.</summary>
    private static (ModelFit? Fit, string? Problem) FitSpend(IReadOnlyList<ClvCustomer> customers)
    {
        try
        {
            return (ClvFitter.FitSpend(customers.Where(c => c.MeanSpend is not null).Select(c => new RepeatSpend(c.History.X, c.MeanSpend!.Value))), null);
        }
        catch (ModelFitException e)
        {
            return (null, e.Message + "; there are no CLV values, only expected purchases and P(alive)");
        }
    }

    /// <summary>
    /// <see cref="Fit(IReadOnlyList{ClvCustomer}, PurchaseModelKind, SummaryUnit, DateOnly)"/> with the fit-time
    /// diagnostics (<see cref="ClvDiagnosis"/>) attached: what <c>clv fit</c>, the demo and <c>clv compare</c> store or show.
    /// The holdout check's summary comes from the same purchase days (read to the calibration end).
    /// </summary>
    public static ClvModel FitAndDiagnose(PurchaseDays days, IReadOnlyList<ClvCustomer> customers, PurchaseModelKind kind, SummaryUnit unit, DateOnly calibrationEnd) =>
        FitAndDiagnose(customers, kind, unit, calibrationEnd, () => ClvDiagnosis.Holdout(days, unit, calibrationEnd, customers));

    /// <summary>The same with the holdout check's data already read (<see cref="ClvDiagnosis.Holdout"/>): several models, one read.</summary>
    public static ClvModel FitAndDiagnose(IReadOnlyList<ClvCustomer> customers, PurchaseModelKind kind, SummaryUnit unit, DateOnly calibrationEnd, (ClvHoldoutSample? Sample, string? Skipped) holdout) =>
        FitAndDiagnose(customers, kind, unit, calibrationEnd, () => holdout);

    private static ClvModel FitAndDiagnose(IReadOnlyList<ClvCustomer> customers, PurchaseModelKind kind, SummaryUnit unit, DateOnly calibrationEnd, Func<(ClvHoldoutSample? Sample, string? Skipped)> holdout)
    {
        // The holdout check (its summary where it is still to be made, and a refit on it) runs beside the fit it checks.
        var check = Task.Run(() =>
        {
            var (sample, skipped) = holdout();
            return sample is null ? (null, skipped) : ClvDiagnosis.CheckHoldout(kind, sample);
        });
        var model = Fit(customers, kind, unit, calibrationEnd);
        return model with { Diagnostics = ClvDiagnosis.Diagnose(model, customers, check.GetAwaiter().GetResult()) };
    }

    /// <summary>
    /// Each customer's predictions from <paramref name="model"/>, conditioned on the histories in
    /// <paramref name="customers"/> (which end on <paramref name="historyEnd"/>, in the model's unit). The value
    /// is Σ over the horizon's months of margin × E[spend] × the month's expected purchases, each discounted
    /// to the history's end; the last month may be partial. Customers with equal histories share one
    /// evaluation. A non-finite prediction throws <see cref="ModelFitException"/>: no NaN is ever stored.
    /// </summary>
    public static ClvPredictions Predict(ClvModel model, IReadOnlyList<ClvCustomer> customers, DateOnly historyEnd, ClvValueOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(customers);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var purchase = PurchaseModel.Of(model.Model);
        var p = model.Purchases.Values;
        var unitDays = (double)(int)model.Unit;

        // Month ends in days, the last one at the horizon, each with its discount factor.
        var ends = new List<double>();
        for (var m = 1; ; m++)
        {
            var end = Math.Min(m * ClvValueOptions.DaysPerMonth, options.HorizonDays);
            ends.Add(end);
            if (end >= options.HorizonDays)
            {
                break;
            }
        }

        var discounts = ends.Select(e => Math.Pow(1 + options.AnnualDiscount, -e / ClvValueOptions.DaysPerYear)).ToArray();

        // Customers with equal histories share one evaluation: the groups a fit made of this summary, or (no order needed) the
        // distinct histories in the order they first appear — sorting them cost `clv predict` 0.15 s at 1M customers.
        var (distinct, historyOf) = customers is ClvSummary { GroupsIfMade: { } made }
            ? (made.Histories, made.GroupOf)
            : DistinctIndex.Of(customers.Select(c => c.History));

        // A customer's expected purchases are P(alive) times those of a customer known to be alive, which depend on x and T
        // alone: the month-by-month curve (the costly part: a hypergeometric series a month for BG/NBD) is computed once per
        // distinct (x, T) — 1M customers have ~340k distinct histories but far fewer pairs — and P(alive) once per history.
        var (pairs, pairOf) = DistinctIndex.Of(distinct.Select(h => (h.X, h.T)));
        var curves = new (double Purchases, double Discounted)[pairs.Length];
        Parallel.For(0, pairs.Length, i =>
        {
            var (x, t) = pairs[i];
            try
            {
                double previous = 0, discounted = 0;
                for (var m = 0; m < ends.Count; m++)
                {
                    var cumulative = purchase.ExpectedPurchasesIfAlive(p, ends[m] / unitDays, x, t);

                    // E[Y(t)] rises with t; a rounding-level dip must not turn into negative value.
                    discounted += Math.Max(0, cumulative - previous) * discounts[m];
                    previous = Math.Max(previous, cumulative);
                }

                curves[i] = (previous, discounted);
            }
            catch (Numerics.SeriesDivergedException)
            {
                curves[i] = (double.NaN, double.NaN);
            }
        });

        var aliveOf = purchase.ProbabilitiesAlive(p, distinct);
        var perHistory = new (double Alive, double Purchases, double Discounted)[distinct.Length];
        for (var i = 0; i < perHistory.Length; i++)
        {
            var (purchases, discounted) = curves[pairOf[i]];
            perHistory[i] = (aliveOf[i], aliveOf[i] * purchases, aliveOf[i] * discounted);
        }

        // The first invalid one in customer order (ordered by id): the same message on any number of threads.
        foreach (var i in historyOf)
        {
            var (a, e, d) = perHistory[i];
            if (!double.IsFinite(a) || !double.IsFinite(e) || !double.IsFinite(d) || a < 0 || a > 1 || e < 0)
            {
                var h = distinct[i];
                throw new ModelFitException(string.Create(CultureInfo.InvariantCulture, $"the prediction for a customer with x = {h.X}, t_x = {h.Tx}, T = {h.T} is not a valid number (P(alive) {a}, expected purchases {e}); the fit may be degenerate"));
            }
        }

        var spendModel = model.Spend?.Values;
        var predictions = new ClvPrediction[customers.Count];
        for (var c = 0; c < customers.Count; c++)
        {
            var customer = customers[c];
            var (alive, purchases, discounted) = perHistory[historyOf[c]];
            double? spend = spendModel is null ? null : GammaGamma.ConditionalExpectedSpend(spendModel, customer.MeanSpend is null ? 0 : customer.History.X, customer.MeanSpend ?? 0);
            double? value = spend * discounted * options.Margin;
            predictions[c] = new ClvPrediction(customer.CustomerId, customer.History, alive, purchases, spend, value);
        }

        return new ClvPredictions(model, historyEnd, options, predictions);
    }

    /// <summary>
    /// Stores the model as the next version, which becomes the active one, and returns it with its version.
    /// With <paramref name="predictions"/> (made from this model), they replace the stored predictions in the
    /// same transaction: the active model and the predictions segments read never disagree.
    /// </summary>
    public static ClvModel Store(IWarehouse warehouse, ClvModel model, DateTime now, ClvPredictions? predictions = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(model);
        var d = warehouse.Dialect;
        long latest = 0;
        warehouse.Read(WarehouseSql.LatestModelVersion(d, Tables.ClvModels), r => latest = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        var stored = model with { Version = checked((int)latest + 1) };
        using var transaction = warehouse.BeginTransaction();
        transaction.Execute(ClvSql.InsertModel(d, stored, now));
        if (predictions is not null)
        {
            StorePredictions(transaction, predictions with { Model = stored }, cancellation);
        }

        transaction.Commit();
        return stored;
    }

    /// <summary>Whether a model is stored (what a segment schema needs to know), without reading it.</summary>
    public static bool Exists(IWarehouse warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var any = false;
        warehouse.Read(new SqlStatement(WarehouseSql.AnyRow(warehouse.Dialect, Tables.ClvModels), []), _ => any = true);
        return any;
    }

    /// <summary>
    /// The active model's warnings (<see cref="ClvModel.Warnings"/>), or null before the first <c>segmenta clv fit</c>: what a
    /// segment preview shows beside the members' CLV, read from the stored JSON without deserializing the model (whose
    /// first deserialization in a process costs about 50 ms of JIT compilation: System.Text.Json's generic code over value
    /// types is not precompiled with the CLI).
    /// </summary>
    public static IReadOnlyList<string>? ActiveWarnings(IWarehouse warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        return NewestJson(warehouse) is { } json ? ClvModel.WarningsOf(json) : null;
    }

    /// <summary>The active model (the newest stored), or null before the first <c>segmenta clv fit</c>.</summary>
    public static ClvModel? Active(IWarehouse warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        return NewestJson(warehouse) is { } json ? ClvModel.FromJson(json) : null;
    }

    /// <summary>The newest stored model's JSON, or null when none is stored.</summary>
    private static string? NewestJson(IWarehouse warehouse)
    {
        string? json = null;
        warehouse.Read(WarehouseSql.NewestModel(warehouse.Dialect, Tables.ClvModels), r => json = r.GetString(0));
        return json;
    }

    /// <summary>Replaces every stored prediction with <paramref name="predictions"/>, in one transaction.</summary>
    public static void StorePredictions(IWarehouse warehouse, ClvPredictions predictions, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(predictions);
        using var transaction = warehouse.BeginTransaction();
        StorePredictions(transaction, predictions, cancellation);
        transaction.Commit();
    }

    /// <summary>Replaces every stored prediction with <paramref name="predictions"/> inside an open transaction.</summary>
    public static void StorePredictions(IWarehouseTransaction transaction, ClvPredictions predictions, CancellationToken cancellation = default) =>
        StorePredictions(transaction, predictions, AppendSlice, cancellation);

    /// <summary>
    /// The same, <paramref name="slice"/> rows per append: the columns of every row at once would be ~150 bytes a customer
    /// (1.4 GB at 10M customers) on top of the predictions themselves, at the refresh's peak of memory.
    /// </summary>
    internal static void StorePredictions(IWarehouseTransaction transaction, ClvPredictions predictions, int slice, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slice);
        transaction.Execute(ClvSql.ClearPredictions(transaction.Dialect));
        for (var from = 0; from < predictions.Customers.Count; from += slice)
        {
            transaction.Append(Tables.ClvPredictions, Rows(predictions, from, Math.Min(slice, predictions.Customers.Count - from)), cancellation);
        }
    }

    private static TableRows Rows(ClvPredictions predictions, int from, int n)
    {
        // One pass over the slice into its columns (a projection per column took 0.14 s of the store at 1M customers).
        var (id, x, tx, t, alive, purchases, spend, value) =
            (new string?[n], new double?[n], new double?[n], new double?[n], new double?[n], new double?[n], new double?[n], new double?[n]);
        for (var i = 0; i < n; i++)
        {
            var r = predictions.Customers[from + i];
            (id[i], x[i], tx[i], t[i]) = (r.CustomerId, r.History.X, r.History.Tx, r.History.T);
            (alive[i], purchases[i], spend[i], value[i]) = (r.ProbabilityAlive, r.ExpectedPurchases, r.ExpectedSpend, r.Value);
        }

        var version = new long?[n];
        var historyEnd = new DateOnly?[n];
        Array.Fill(version, predictions.Model.Version);
        Array.Fill(historyEnd, predictions.HistoryEnd);
        return new TableRows(n)
            .Add("customer_id", id)
            .Add("model_version", version)
            .Add("history_end", historyEnd)
            .Add("x", x)
            .Add("t_x", tx)
            .Add("t", t)
            .Add("p_alive", alive)
            .Add("expected_purchases", purchases)
            .Add("expected_spend", spend)
            .Add("value", value);
    }

    /// <summary>
    /// <c>clv.value</c>, <c>clv.p_alive</c>, <c>clv.expected_purchases</c>, <c>clv.expected_spend</c> and the
    /// history they condition on (<c>clv.x</c>, <c>clv.t_x</c>, <c>clv.t</c>), read from the stored predictions.
    /// </summary>
    public static DerivedFieldSet FieldSet { get; } = new(
        Namespace,
        Tables.ClvPredictions,
        [
            new("value", FieldType.Number),
            new("p_alive", FieldType.Number),
            new("expected_purchases", FieldType.Number),
            new("expected_spend", FieldType.Number),
            new("x", FieldType.Number),
            new("t_x", FieldType.Number),
            new("t", FieldType.Number),
            new("model_version", FieldType.Integer),
        ],
        "segmenta clv predict");
}
