using Segmenta.Numerics;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.Tests.Warehouse;

public sealed class WarehouseRecordTests
{
    [Theory]
    [InlineData("200.0000", "200")]
    [InlineData("15.3000", "15.3")]
    [InlineData("-15.3000", "-15.3")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("1000", "1000")]
    [InlineData("0.0000", "0")]
    public void Normalize_DropsTrailingZerosOnly(string value, string expected)
    {
        var normalized = WarehouseRecord.Normalize(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, normalized.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Normalize_SameBitsAsTheDivision_OnEdgeCasesAndRandomValues()
    {
        var values = new List<decimal>
        {
            0m, -0m, 0.0000m, -0.0000m, 1.0m, decimal.MaxValue, decimal.MinValue, 7.9228162514264337593543950335m,
            18446744073709551615.0000m, 1844674407370955161.5000m, 1.00000000000000000000m, 0.0000000000000000000000000001m,
        };
        var random = new Xoshiro(7);
        for (var i = 0; i < 200_000; i++)
        {
            var scale = (byte)random.NextInt(29);
            var high = random.NextInt(3) == 0 ? random.NextInt(int.MaxValue) : 0;
            var middle = random.NextInt(4) == 0 ? 0 : random.NextInt(int.MaxValue);
            values.Add(new decimal(random.NextInt(int.MaxValue), middle, high, random.NextInt(2) == 0, scale));
            values.Add(new decimal(random.NextInt(100_000) * 100, 0, 0, random.NextInt(2) == 0, (byte)random.NextInt(9)));
        }

        foreach (var v in values)
        {
            Assert.Equal(decimal.GetBits(WarehouseRecord.NormalizeByDivision(v)), decimal.GetBits(WarehouseRecord.Normalize(v)));
        }
    }
}
