using Segmenta.Numerics;
using Xunit;

namespace Segmenta.Tests.Numerics;

public sealed class SpecialFunctionsTests
{
    [Theory]
    [InlineData(0.5, 0.57236494292470008707)]        // ln √π
    [InlineData(1.0, 0.0)]
    [InlineData(10.0, 12.801827480081469611)]        // ln 9!
    [InlineData(0.001, 6.907178885383854)]           // Python math.lgamma
    [InlineData(1000.5, 5908.674175848678)]          // Python math.lgamma
    public void LogGamma_KnownValues(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.LogGamma(x), Math.Max(1e-12, Math.Abs(expected) * 1e-14));

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void Hypergeometric_ClosedForms(double z)
    {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z and ₂F₁(a, b; b; z) = (1 − z)^(−a).
        Assert.Equal(Math.Log(-Math.Log(1 - z) / z), SpecialFunctions.LogHypergeometric2F1(1, 1, 2, z), 1e-12);
        Assert.Equal(-2.5 * Math.Log(1 - z), SpecialFunctions.LogHypergeometric2F1(2.5, 3.7, 3.7, z), 1e-11);
    }

    [Fact]
    public void Hypergeometric_TooCloseToOne_RefusesLoudly()
    {
        Assert.Throws<SeriesDivergedException>(() => SpecialFunctions.LogHypergeometric2F1(2, 1.5, 3, 1 - 1e-9));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.LogHypergeometric2F1(2, 1.5, 3, 1));
    }

    [Theory]
    [InlineData(10.0, 10.0, 0.8, 1.6, 0.0, 39.0)]
    [InlineData(1e-6, 1e-6, 0.3, 1.5, 0.0, 52.0)]
    [InlineData(4.0, 4.0, 250.0, 1.2, 30.0, 30.001)]
    public void PowerProductIntegral_EqualBases_MatchesTheClosedForm(double alpha, double beta, double a, double b, double from, double to)
    {
        // With α = β the integrand is (α + τ)^−(A+B): [(α+from)^(1−A−B) − (α+to)^(1−A−B)] / (A+B−1).
        var k = a + b - 1;
        var expected = (-k * Math.Log(alpha + from)) + Math.Log(-SpecialFunctions.ExpM1(-k * (Math.Log(alpha + to) - Math.Log(alpha + from)))) - Math.Log(k);
        Assert.Equal(expected, SpecialFunctions.LogPowerProductIntegral(alpha, a, beta, b, from, to), Math.Abs(expected) * 1e-12);
    }

    [Theory]
    [InlineData(10.578, 0.553, 11.669, 1.606, 0.0, 38.86)]
    [InlineData(10.578, 26.553, 11.669, 1.606, 30.86, 31.0)]
    [InlineData(30.0, 2.5, 3.0, 1.4, 5.0, 52.0)]
    [InlineData(3.0, 2.5, 30.0, 1.4, 0.0, 52.0)]
    public void PowerProductIntegral_MatchesTheHypergeometricForm(double alpha, double a, double beta, double b, double from, double to)
    {
        // Where its series converges: for α ≥ β, ∫ = [₂F₁(k, B; k+1; (α−β)/(α+τ)) (α+τ)^−k] from `to` to `from`, over k = A+B−1
        // (the bases and exponents swap when β > α).
        var (big, bigPower, small, smallPower) = alpha >= beta ? (alpha, a, beta, b) : (beta, b, alpha, a);
        var k = bigPower + smallPower - 1;
        double Term(double tau) => SpecialFunctions.LogHypergeometric2F1(k, smallPower, k + 1, (big - small) / (big + tau)) - (k * Math.Log(big + tau));
        var expected = SpecialFunctions.LogSubtractExp(Term(from), Term(to)) - Math.Log(k);
        Assert.Equal(expected, SpecialFunctions.LogPowerProductIntegral(alpha, a, beta, b, from, to), Math.Abs(expected) * 1e-10);
    }

    [Theory]
    [InlineData(1e-4, 0.8, 60.0, 1.3, 0.0, 52.0)]
    [InlineData(60.0, 0.8, 1e-5, 1.3, 0.0, 52.0)]
    [InlineData(0.02, 131.0, 400.0, 1.01, 0.5, 52.4)]
    public void PowerProductIntegral_FarApartBases_MatchesBruteForce(double alpha, double a, double beta, double b, double from, double to)
    {
        // Where the series would need millions of terms (z near 1): against a 400,000-point trapezoid on τ = from + e^u.
        const int n = 400_000;
        double lo = Math.Log((to - from) * 1e-14), hi = Math.Log(to - from), h = (hi - lo) / n;
        double F(double u) => Math.Exp(u - (a * Math.Log(alpha + from + Math.Exp(u))) - (b * Math.Log(beta + from + Math.Exp(u))));
        var sum = (F(lo) + F(hi)) / 2;
        for (var i = 1; i < n; i++)
        {
            sum += F(lo + (i * h));
        }

        // Below e^lo the integrand is at most its value at `from` times (to − from)·10⁻¹⁴.
        var expected = Math.Log((sum * h) + (Math.Exp(-(a * Math.Log(alpha + from)) - (b * Math.Log(beta + from))) * Math.Exp(lo)));
        Assert.Equal(expected, SpecialFunctions.LogPowerProductIntegral(alpha, a, beta, b, from, to), Math.Abs(expected) * 1e-7);
    }

    [Fact]
    public void PowerProductIntegral_EmptyInterval_IsMinusInfinity() =>
        Assert.Equal(double.NegativeInfinity, SpecialFunctions.LogPowerProductIntegral(1, 1, 2, 2, 5, 5));

    [Fact]
    public void Minimizer_Rosenbrock_FindsTheMinimum()
    {
        var result = Minimizer.Minimize(x => (100 * Math.Pow(x[1] - (x[0] * x[0]), 2)) + Math.Pow(1 - x[0], 2), [-1.2, 1.0], 1e-6);
        Assert.True(result.Converged);
        Assert.Equal(1.0, result.Point[0], 1e-4);
        Assert.Equal(1.0, result.Point[1], 1e-4);
    }

    [Fact]
    public void Hessian_Quadratic_InverseIsTheCovariance()
    {
        // f = ½ xᵀ A x with A = [[4, 1], [1, 3]]: the Hessian is A and its inverse [[3, −1], [−1, 4]] / 11.
        var hessian = Minimizer.Hessian(x => 0.5 * ((4 * x[0] * x[0]) + (2 * x[0] * x[1]) + (3 * x[1] * x[1])), [0.7, -0.2]);
        var inverse = Minimizer.InvertPositiveDefinite(hessian)!;
        Assert.Equal(3.0 / 11, inverse[0, 0], 1e-6);
        Assert.Equal(-1.0 / 11, inverse[0, 1], 1e-6);
        Assert.Equal(4.0 / 11, inverse[1, 1], 1e-6);
        Assert.Null(Minimizer.InvertPositiveDefinite(new double[,] { { 1, 2 }, { 2, 1 } }));
    }

    [Theory]
    [InlineData(1.0, -0.57721566490153286)]      // −γ
    [InlineData(0.5, -1.96351002602142348)]      // −γ − 2 ln 2
    [InlineData(10.0, 2.25175258906672110)]
    [InlineData(1e-3, -1000.57557193181028)]
    [InlineData(123.4, 4.81137377511627742)]
    public void Digamma_KnownValues(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.Digamma(x), Math.Max(1, Math.Abs(expected)) * 1e-12);

    [Fact]
    public void Digamma_IsTheSlopeOfLogGamma()
    {
        foreach (var x in new[] { 0.07, 0.8, 3.3, 5.99, 6.01, 47.0, 2500.0 })
        {
            var h = 1e-5 * x;
            var slope = (SpecialFunctions.LogGamma(x + h) - SpecialFunctions.LogGamma(x - h)) / (2 * h);
            Assert.Equal(slope, SpecialFunctions.Digamma(x), Math.Max(1, Math.Abs(slope)) * 1e-6);
        }

        Assert.True(double.IsNaN(SpecialFunctions.Digamma(0)));
        Assert.True(double.IsNaN(SpecialFunctions.Digamma(-2.5)));
    }

    [Fact]
    public void Minimizer_WithTheGradient_FindsTheSameMinimumInFewerEvaluations()
    {
        static double Rosenbrock(double[] x) => (100 * Math.Pow(x[1] - (x[0] * x[0]), 2)) + Math.Pow(1 - x[0], 2);
        static double[] Slope(double[] x) => [(-400 * x[0] * (x[1] - (x[0] * x[0]))) - (2 * (1 - x[0])), 200 * (x[1] - (x[0] * x[0]))];
        var numeric = Minimizer.Minimize(Rosenbrock, [-1.2, 1.0], 1e-6, nelderMead: false);
        var exact = Minimizer.Minimize(Rosenbrock, [-1.2, 1.0], 1e-6, nelderMead: false, gradient: Slope);
        Assert.True(exact.Converged);
        Assert.Equal(1.0, exact.Point[0], 1e-5);
        Assert.Equal(1.0, exact.Point[1], 1e-5);
        Assert.True(exact.Evaluations < numeric.Evaluations, $"{exact.Evaluations} evaluations with the gradient, {numeric.Evaluations} without");

        // A gradient that gives nothing (or a non-finite value) leaves it to central differences.
        var none = Minimizer.Minimize(Rosenbrock, [-1.2, 1.0], 1e-6, nelderMead: false, gradient: _ => null);
        Assert.Equal(numeric.Point, none.Point);
        Assert.Equal(numeric.Evaluations, none.Evaluations);
    }

    [Fact]
    public void HessianOfGradient_Quadratic_IsTheMatrix()
    {
        // f = ½ xᵀ A x with A = [[4, 1], [1, 3]]: the gradient is A x.
        var hessian = Minimizer.HessianOfGradient(x => [(4 * x[0]) + x[1], x[0] + (3 * x[1])], [0.7, -0.2])!;
        Assert.Equal(4, hessian[0, 0], 1e-6);
        Assert.Equal(1, hessian[0, 1], 1e-6);
        Assert.Equal(1, hessian[1, 0], 1e-6);
        Assert.Equal(3, hessian[1, 1], 1e-6);
        Assert.Null(Minimizer.HessianOfGradient(_ => null, [0.7, -0.2]));
        Assert.Null(Minimizer.HessianOfGradient(x => [double.NaN, x[1]], [0.7, -0.2]));
    }
}
