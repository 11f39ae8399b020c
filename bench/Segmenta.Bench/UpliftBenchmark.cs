using System.Diagnostics;
using System.Globalization;
using Segmenta.Uplift;

namespace Segmenta.Bench;

/// <summary>
/// bench/uplift.sh: a randomized campaign of N customers × D numeric inputs with a known heterogeneous effect, learned by
/// Segmenta's T-learner (the path of <c>segmenta uplift fit</c> after the warehouse read: conversion and revenue, the control
/// model, the held-out evaluation, every customer scored) and a budget allocated over every customer's scores.
/// </summary>
internal static class UpliftBenchmark
{
    /// <summary>Writes x.bin (float32 N×D), t.bin (bytes), conversion.bin and revenue.bin (float64), test.bin (bytes, 30% held out).</summary>
    public static int Data(int n, int d, string directory)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(20261203);
        using var x = new BinaryWriter(File.Create(Path.Combine(directory, "x.bin")));
        var t = new byte[n];
        var test = new byte[n];
        var conversion = new double[n];
        var revenue = new double[n];
        var row = new float[d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                row[j] = (float)random.NextDouble();
                x.Write(row[j]);
            }

            t[i] = (byte)(random.NextDouble() < 0.5 ? 1 : 0);
            test[i] = (byte)(random.NextDouble() < 0.3 ? 1 : 0);

            // Baseline 5–10% by x0; the contact adds 4 points when x1 > 0.5 and takes 2 away when x2 > 0.8.
            var p = 0.05 + (0.05 * row[0]) + (t[i] == 1 ? (row[1] > 0.5 ? 0.04 : 0) - (row[2] > 0.8 ? 0.02 : 0) : 0);
            conversion[i] = random.NextDouble() < p ? 1 : 0;
            revenue[i] = conversion[i] * (50 + (50 * row[3]));
        }

        File.WriteAllBytes(Path.Combine(directory, "t.bin"), t);
        File.WriteAllBytes(Path.Combine(directory, "test.bin"), test);
        File.WriteAllBytes(Path.Combine(directory, "conversion.bin"), [.. conversion.SelectMany(BitConverter.GetBytes)]);
        File.WriteAllBytes(Path.Combine(directory, "revenue.bin"), [.. revenue.SelectMany(BitConverter.GetBytes)]);
        return 0;
    }

    /// <summary>Prints: fit s, evaluate s, score s, total s, allocate s, conversion uplift@30%, conversion Qini coefficient, revenue uplift@30%.</summary>
    public static int Run(string directory, int d)
    {
        var bytes = File.ReadAllBytes(Path.Combine(directory, "x.bin"));
        var n = bytes.Length / (4 * d);
        var rows = new float[n][];
        for (var i = 0; i < n; i++)
        {
            rows[i] = new float[d];
            Buffer.BlockCopy(bytes, i * d * 4, rows[i], 0, d * 4);
        }

        var t = File.ReadAllBytes(Path.Combine(directory, "t.bin"));
        var test = File.ReadAllBytes(Path.Combine(directory, "test.bin"));
        double[] Doubles(string name)
        {
            var raw = File.ReadAllBytes(Path.Combine(directory, name));
            var values = new double[raw.Length / 8];
            Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
            return values;
        }

        var outcomes = new Dictionary<string, double[]> { [UpliftAnalysis.Conversion] = Doubles("conversion.bin"), [UpliftAnalysis.Revenue] = Doubles("revenue.bin") };
        var train = Enumerable.Range(0, n).Where(i => test[i] == 0).ToArray();
        var held = Enumerable.Range(0, n).Where(i => test[i] == 1).ToArray();
        var trainRows = train.Select(i => rows[i]).ToArray();
        var heldRows = held.Select(i => rows[i]).ToArray();
        var trainT = train.Select(i => t[i]).ToArray();
        var heldT = held.Select(i => t[i]).ToArray();
        var share = trainT.Average(v => (double)v);
        var options = new BoostingOptions();

        var clock = Stopwatch.StartNew();
        var fitted = outcomes.ToDictionary(o => o.Key, o => UpliftLearner.Fit(trainRows, [.. train.Select(i => o.Value[i])], trainT, o.Key != UpliftAnalysis.Revenue, UpliftMethod.TLearner, share, options));
        var fit = clock.Elapsed.TotalSeconds;
        var evaluations = outcomes.Select(o => UpliftAnalysis.Evaluate(o.Key, [.. held.Select(i => o.Value[i])], fitted[o.Key].Uplift(heldRows), heldT)).ToList();
        var evaluate = clock.Elapsed.TotalSeconds - fit;
        var scores = fitted.ToDictionary(f => f.Key, f => f.Value.Uplift(rows));
        var baseline = fitted[UpliftAnalysis.Conversion].Baseline(rows);
        var score = clock.Elapsed.TotalSeconds - fit - evaluate;
        var total = clock.Elapsed.TotalSeconds;

        var model = new UpliftModel(1, "bench", ["treated"], UpliftMethod.TLearner, default, default, default, true, share, trainT.Sum(v => v), trainT.Length - trainT.Sum(v => v), [], [.. outcomes.Keys], evaluations, 0, 0, default, n, [], new UpliftRequest("bench", [], []));
        var stored = Enumerable.Range(0, n).Select(i => new UpliftScore(i.ToString("D7", CultureInfo.InvariantCulture), scores[UpliftAnalysis.Conversion][i], scores[UpliftAnalysis.Revenue][i], null, baseline[i], null)).ToList();
        clock.Restart();
        var allocation = BudgetAllocation.Allocate(model, stored, new AllocationRequest("bench", 20_000, 0.1, UpliftAnalysis.Revenue, 0.4));
        var allocate = clock.Elapsed.TotalSeconds;

        var conversion = evaluations[0];
        var revenue = evaluations[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fit:0.00} {evaluate:0.00} {score:0.00} {total:0.00} {allocate:0.00} {conversion.UpliftAtK.Single(u => u.Share == 0.3).Uplift:0.0000} {conversion.QiniCoefficient:0.0000} {revenue.UpliftAtK.Single(u => u.Share == 0.3).Uplift:0.000} {allocation.Audience}"));
        return 0;
    }
}
