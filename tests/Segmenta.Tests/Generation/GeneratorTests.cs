using System.Globalization;
using System.Security.Cryptography;
using Segmenta.Generation;
using Segmenta.Ingestion;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Tests;

public class GeneratorTests
{
    private static readonly GeneratorOptions Small = new(3_000, 60_000, 7, GeneratorOptions.DefaultAsOf);

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void Write_SameSeed_GivesByteIdenticalFiles()
    {
        using var a = TestPaths.NewTempDir();
        using var b = TestPaths.NewTempDir();
        var first = CustomerBaseGenerator.Write(Small, a.Path);
        var second = CustomerBaseGenerator.Write(Small, b.Path);
        Assert.Equal(Hash(first.EventsFile), Hash(second.EventsFile));
        Assert.Equal(Hash(first.CustomersFile), Hash(second.CustomersFile));
        Assert.Equal(Hash(first.PersonasFile), Hash(second.PersonasFile));
    }

    [Fact]
    public void Write_DifferentSeed_GivesDifferentData()
    {
        using var a = TestPaths.NewTempDir();
        using var b = TestPaths.NewTempDir();
        Assert.NotEqual(
            Hash(CustomerBaseGenerator.Write(Small, a.Path).EventsFile),
            Hash(CustomerBaseGenerator.Write(Small with { Seed = 8 }, b.Path).EventsFile));
    }

    [Fact]
    public void Write_EventCount_LandsNearTheTargetAndMatchesTheFile()
    {
        using var dir = TestPaths.NewTempDir();
        var result = CustomerBaseGenerator.Write(Small, dir.Path);
        Assert.InRange(result.Events, 60_000 * 0.95, 60_000 * 1.05);
        Assert.Equal(result.Events, File.ReadLines(result.EventsFile).LongCount() - 1);
        Assert.Equal(3_000, File.ReadLines(result.CustomersFile).LongCount() - 1);
    }

    [Fact]
    public void Write_Personas_DifferInDemographicsAndValue()
    {
        using var dir = TestPaths.NewTempDir();
        var result = CustomerBaseGenerator.Write(Small with { Customers = 6_000, Events = 100_000 }, dir.Path);
        var persona = File.ReadLines(result.PersonasFile).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[0], p => p[1]);
        var ages = new Dictionary<string, List<int>>();
        using (var customers = CsvRecordSource.Open(result.CustomersFile))
        {
            var id = customers.Columns.ToList().IndexOf("customer_id");
            var age = customers.Columns.ToList().IndexOf("age");
            while (customers.Read())
            {
                var p = persona[customers.Value(id).ToString()];
                (ages.TryGetValue(p, out var list) ? list : ages[p] = []).Add(int.Parse(customers.Value(age), CultureInfo.InvariantCulture));
            }
        }

        var revenue = new Dictionary<string, decimal>();
        using (var events = CsvRecordSource.Open(result.EventsFile))
        {
            var cols = events.Columns.ToList();
            while (events.Read())
            {
                if (events.Value(cols.IndexOf("event_type")).SequenceEqual("purchase"))
                {
                    var p = persona[events.Value(cols.IndexOf("customer_id")).ToString()];
                    revenue[p] = revenue.GetValueOrDefault(p) + decimal.Parse(events.Value(cols.IndexOf("revenue")), CultureInfo.InvariantCulture);
                }
            }
        }

        // The latent personas must be recoverable: young mobile shoppers are younger, and loyal high
        // spenders bring far more revenue per customer than one-and-done buyers.
        Assert.True(ages["young_mobile"].Average() + 15 < ages["loyal_high_spenders"].Average());
        decimal PerCustomer(string p) => revenue[p] / persona.Values.Count(v => v == p);
        Assert.True(PerCustomer("loyal_high_spenders") > 5 * PerCustomer("one_and_done"));
    }

    [Fact]
    public void Write_ErrorRate_WritesThatShareOfMalformedRows()
    {
        using var dir = TestPaths.NewTempDir();
        var result = CustomerBaseGenerator.Write(Small with { ErrorRate = 0.01 }, dir.Path);
        Assert.InRange(result.MalformedRows, (result.Events + result.Customers) * 0.007, (result.Events + result.Customers) * 0.013);
    }
}
