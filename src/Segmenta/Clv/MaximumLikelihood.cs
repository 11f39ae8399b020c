using System.Globalization;
using Segmenta.Numerics;

namespace Segmenta.Clv;

/// <summary>One fitted parameter.</summary>
/// <param name="Name">Its name in the literature (r, alpha, a, b, s, beta, p, q, gamma).</param>
/// <param name="Value">The maximum-likelihood estimate.</param>
/// <param name="StandardError">From the inverse of the observed information (the Hessian of −ln L); null when it is not positive definite.</param>
public sealed record ParameterEstimate(string Name, double Value, double? StandardError);

/// <summary>A maximum-likelihood fit.</summary>
/// <param name="Model">bgnbd, pareto or gamma-gamma.</param>
/// <param name="Parameters">The estimates, in the model's order.</param>
/// <param name="LogLikelihood">ln L at the estimates, summed over the customers.</param>
/// <param name="Customers">Customers the fit used.</param>
/// <param name="DistinctHistories">Distinct inputs the likelihood was evaluated on (customers with equal inputs share one evaluation).</param>
/// <param name="Iterations">Optimizer iterations (Nelder-Mead, then BFGS).</param>
/// <param name="Evaluations">Likelihood evaluations (a closed-form gradient counts as one).</param>
/// <param name="Converged">Whether the gradient reached the tolerance.</param>
/// <param name="Warnings">What a user must know: no convergence, a parameter at a bound, no standard errors.</param>
public sealed record ModelFit(
    string Model,
    IReadOnlyList<ParameterEstimate> Parameters,
    double LogLikelihood,
    long Customers,
    long DistinctHistories,
    int Iterations,
    int Evaluations,
    bool Converged,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The estimates alone, in order.</summary>
    public double[] Values => Parameters.Select(p => p.Value).ToArray();

    /// <summary>The estimate of a parameter by name.</summary>
    public double this[string name] => Parameters.First(p => p.Name == name).Value;
}

/// <summary>ln L summed over a model's inputs, as a function of its parameters.</summary>
/// <param name="Total">ln L; it may throw <see cref="SeriesDivergedException"/> where it cannot be evaluated.</param>
/// <param name="Gradient">∂ln L/∂θ in closed form, or null: then the fit differentiates <paramref name="Total"/> numerically.</param>
internal sealed record Likelihood(Func<double[], double> Total, Func<double[], double[]?>? Gradient = null);

/// <summary>A fit that produced no usable estimates (non-finite likelihood, a series that diverged).</summary>
public sealed class ModelFitException(string message) : SegmentaException(message, FailureKind.CannotFit);

/// <summary>
/// Maximum likelihood for the CLV models: −ln L summed over distinct inputs (each weighted by how many
/// customers share it), minimized over the logarithms of the parameters so every parameter stays
/// positive, from a derivative-free start to a gradient tolerance; then standard errors from the Hessian
/// in the parameters' own scale. The sum over inputs runs in fixed chunks added in order, so a fit is
/// the same on any number of threads.
/// </summary>
internal static class MaximumLikelihood
{
    /// <summary>Parameters below this or above its inverse are reported as at a bound.</summary>
    private const double Bound = 1e-6;

    /// <param name="model">The model's name for messages.</param>
    /// <param name="names">Parameter names.</param>
    /// <param name="start">Starting values (positive).</param>
    /// <param name="customers">Customers behind the inputs.</param>
    /// <param name="distinct">Distinct inputs.</param>
    /// <param name="total">ln L summed over the inputs, with its gradient where the model has one in closed form.</param>
    /// <param name="approximate">
    /// A cheaper stand-in for <paramref name="total"/> (a subsample of the inputs) to get close first: the fit of
    /// the whole then only needs the gradient steps. The estimates are those of <paramref name="total"/> either way.
    /// </param>
    public static ModelFit Fit(string model, IReadOnlyList<string> names, double[] start, long customers, long distinct, Likelihood total, Likelihood? approximate = null)
    {
        ArgumentNullException.ThrowIfNull(total);

        // −ln L over the logarithms of the parameters, and its gradient there: −θᵢ ∂ln L/∂θᵢ (null: differentiate numerically).
        // Parameters beyond e^±30 are no estimate of anything, and the likelihood there is rounding noise.
        static T AtLogs<T>(double[] logs, Func<double[], T> f, T none) =>
            logs.Any(v => Math.Abs(v) > 30) ? none : Evaluated(logs.Select(v => Math.Exp(v)).ToArray(), f, none);

        Func<double[], double[]?>? Slope(Likelihood likelihood) => likelihood.Gradient is not { } gradient ? null : logs =>
            AtLogs(logs, parameters => gradient(parameters)?.Select((v, i) => -v * parameters[i]).ToArray(), null);

        Func<double[], double> Objective(Likelihood likelihood) => logs =>
            AtLogs(logs, parameters => -likelihood.Total(parameters), double.PositiveInfinity) is var value && double.IsFinite(value) ? value : double.PositiveInfinity;

        var startLogs = start.Select(v => Math.Log(v)).ToArray();
        var objective = Objective(total);
        if (!double.IsFinite(objective(startLogs)))
        {
            throw new ModelFitException($"{model}: the likelihood is not finite at the starting values");
        }

        // The gradient tolerance scales with the data: ln L grows with the number of customers.
        var tolerance = 1e-7 * Math.Max(customers, 1);
        var evaluations = 0;
        var iterations = 0;
        if (approximate is not null)
        {
            var near = Minimizer.Minimize(Objective(approximate), startLogs, tolerance, gradient: Slope(approximate));
            if (double.IsFinite(objective(near.Point)))
            {
                startLogs = near.Point;
                (evaluations, iterations) = (near.Evaluations, near.Iterations);
            }
        }

        var slope = Slope(total);
        var result = Minimizer.Minimize(objective, startLogs, tolerance, nelderMead: approximate is null, gradient: slope);
        if (approximate is not null && !result.Converged)
        {
            // The subsample led somewhere the gradient steps could not finish from: do it the long way.
            result = Minimizer.Minimize(objective, start.Select(v => Math.Log(v)).ToArray(), tolerance, gradient: slope);
        }

        result = result with { Evaluations = result.Evaluations + evaluations, Iterations = result.Iterations + iterations };
        var estimates = result.Point.Select(v => Math.Exp(v)).ToArray();
        var maximum = -result.Value;
        if (!double.IsFinite(maximum) || estimates.Any(v => !double.IsFinite(v)))
        {
            throw new ModelFitException($"{model}: the fit ended at a non-finite likelihood; the data may not suit the model");
        }

        var warnings = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        if (!result.Converged)
        {
            warnings.Add(string.Create(inv, $"{model}: the optimizer stopped after {result.Iterations} iterations without converging (largest gradient {result.Gradient.Max(Math.Abs):G3}); the estimates may be inaccurate"));
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (estimates[i] < Bound || estimates[i] > 1 / Bound)
            {
                warnings.Add(string.Create(inv, $"{model}: {names[i]} = {estimates[i]:G4} is at the edge of the parameter space; the model may be degenerate for this data"));
            }
        }

        double NegativeAt(double[] parameters) =>
            parameters.All(v => v > 0) ? Evaluated(parameters, p => -total.Total(p), double.NaN) : double.NaN;

        double[]? NegativeGradientAt(double[] parameters) =>
            parameters.All(v => v > 0) ? Evaluated(parameters, p => total.Gradient!(p)?.Select(v => -v).ToArray(), null) : null;

        var hessian = total.Gradient is null ? null : Minimizer.HessianOfGradient(NegativeGradientAt, estimates);
        var covariance = Minimizer.InvertPositiveDefinite(hessian ?? Minimizer.Hessian(NegativeAt, estimates));
        double?[] errors = new double?[names.Count];
        if (covariance is null)
        {
            warnings.Add($"{model}: the Hessian at the estimates is not positive definite, so there are no standard errors");
        }
        else
        {
            for (var i = 0; i < names.Count; i++)
            {
                errors[i] = covariance[i, i] > 0 && double.IsFinite(covariance[i, i]) ? Math.Sqrt(covariance[i, i]) : null;
                if (errors[i] > estimates[i] && estimates[i] >= Bound && estimates[i] <= 1 / Bound)
                {
                    warnings.Add(string.Create(inv, $"{model}: {names[i]} = {estimates[i]:G4} has a standard error of {errors[i]:G3}, larger than itself: the data hardly determine it, and predictions that lean on it are uncertain"));
                }
            }
        }

        return new ModelFit(
            model,
            names.Select((n, i) => new ParameterEstimate(n, estimates[i], errors[i])).ToList(),
            maximum,
            customers,
            distinct,
            result.Iterations,
            result.Evaluations,
            result.Converged,
            warnings);
    }

    /// <summary><paramref name="f"/> at <paramref name="parameters"/>, or <paramref name="none"/> where a series in it diverged.</summary>
    private static T Evaluated<T>(double[] parameters, Func<double[], T> f, T none)
    {
        try
        {
            return f(parameters);
        }
        catch (SeriesDivergedException)
        {
            return none;
        }
    }
}
