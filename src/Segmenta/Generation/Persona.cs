namespace Segmenta.Generation;

/// <summary>
/// A latent customer type of the synthetic base: who they are and how they behave. Purchase timing
/// follows BG/NBD (rate λ ~ Gamma(R, Alpha) per year; after each purchase the customer drops out
/// with probability p ~ Beta(A, B)); spend follows Gamma-Gamma (order value ~ Gamma(SpendShape, ν) with
/// ν ~ Gamma(Q, γ), γ chosen so the mean order value is MeanOrderValue).
/// </summary>
internal sealed record Persona(
    string Name,
    double Weight,
    double AgeMean,
    double AgeSd,
    double FemaleShare,
    double IncomeLogMean,
    double IncomeLogSd,
    double R,
    double Alpha,
    double A,
    double B,
    double SpendShape,
    double Q,
    double MeanOrderValue,
    double OptIn,
    double OpenA,
    double OpenB,
    double ClickGivenOpen,
    double ConvertGivenClick,
    double BrowsePerYear,
    double AdImpressionsPerYear,
    double AdCtr,
    double[] ChannelWeights,   // web, app, store
    double[] CategoryWeights,  // see CustomerBaseGenerator.Categories
    double HolidayShare)
{
    public static IReadOnlyList<Persona> All { get; } =
    [
        new("loyal_high_spenders", 0.14, 47, 9, 0.55, Math.Log(95_000), 0.35, 4.0, 0.5, 0.6, 12.0, 6.0, 8.0, 150,
            0.85, 6, 6, 0.30, 0.25, 10, 8, 0.01, [0.55, 0.2, 0.25], [2, 1.5, 2, 2.5, 1, 1, 0.5, 0.5], 0.15),
        new("bargain_hunters", 0.24, 36, 10, 0.62, Math.Log(52_000), 0.35, 2.5, 0.8, 1.0, 6.0, 4.0, 6.0, 45,
            0.90, 5, 4, 0.45, 0.30, 14, 20, 0.02, [0.5, 0.4, 0.1], [2.5, 2, 0.5, 1.5, 2, 0.8, 1, 2], 0.2),
        new("young_mobile", 0.22, 24, 4, 0.5, Math.Log(32_000), 0.4, 2.0, 1.0, 1.2, 5.0, 3.5, 7.0, 35,
            0.55, 2, 8, 0.35, 0.15, 24, 60, 0.04, [0.15, 0.8, 0.05], [3, 2.5, 2, 0.3, 2, 0.5, 0.7, 0.5], 0.1),
        new("occasional_gifters", 0.20, 52, 11, 0.58, Math.Log(70_000), 0.4, 1.2, 1.2, 0.8, 4.0, 5.0, 7.0, 90,
            0.60, 2, 10, 0.25, 0.20, 4, 10, 0.015, [0.4, 0.1, 0.5], [0.8, 0.5, 1.5, 1.5, 1.5, 2, 3, 0.3], 0.6),
        new("one_and_done", 0.20, 40, 14, 0.5, Math.Log(48_000), 0.5, 0.8, 1.5, 3.0, 2.0, 3.0, 6.0, 55,
            0.40, 1, 12, 0.15, 0.10, 3, 12, 0.01, [0.6, 0.2, 0.2], [1, 1, 1, 1, 1, 1, 1, 1], 0.2),
    ];
}
