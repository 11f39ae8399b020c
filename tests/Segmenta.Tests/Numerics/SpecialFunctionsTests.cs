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

        // The shifted form (c = a + 1) agrees with the general series.
        Assert.Equal(SpecialFunctions.LogHypergeometric2F1(4.2, 1.6, 5.2, z), SpecialFunctions.LogHypergeometric2F1Shifted(4.2, 1.6, z), 1e-11);
        Assert.Equal(Math.Log(-Math.Log(1 - z) / z), SpecialFunctions.LogHypergeometric2F1Shifted(1, 1, z), 1e-12);
    }

    [Fact]
    public void Hypergeometric_LargeParameters_NoOverflow()
    {
        // Pareto/NBD with x = 500 (lifetimes' overflow case): the direct terms pass 1e300, the result is finite.
        var shifted = SpecialFunctions.LogHypergeometric2F1Shifted(513.5, 510.5, 0.99);
        var direct = SpecialFunctions.LogHypergeometric2F1(513.5, 510.5, 514.5, 0.99);
        Assert.True(double.IsFinite(shifted) && shifted > 690, $"{shifted}");
        Assert.Equal(direct, shifted, Math.Abs(direct) * 1e-10);
    }

    [Fact]
    public void Hypergeometric_TooCloseToOne_RefusesLoudly()
    {
        Assert.Throws<SeriesDivergedException>(() => SpecialFunctions.LogHypergeometric2F1Shifted(2, 1.5, 1 - 1e-9));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.LogHypergeometric2F1(2, 1.5, 3, 1));
    }

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
}
