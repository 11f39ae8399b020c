using System.Globalization;

namespace Segmenta.Cli.Tests;

/// <summary>UCI Online Retail read and the netting rule typed out again for the tests, with nothing from the product.</summary>
internal static class OnlineRetailCsv
{
    public static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public sealed record Line(string Invoice, string Product, string Customer, DateTime At, decimal Amount, bool Cancelled, string Country, string Description);

    public static List<Line> Read(string path)
    {
        var result = new List<Line>();
        foreach (var text in File.ReadLines(path).Skip(1))
        {
            var f = Split(text);
            if (f[6].Length == 0)
            {
                continue;
            }

            var at = TimeZoneInfo.ConvertTimeToUtc(DateTime.ParseExact(f[4], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), London);
            result.Add(new Line(f[0], f[1], ((long)double.Parse(f[6], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture), at,
                decimal.Parse(f[3], CultureInfo.InvariantCulture) * decimal.Parse(f[5], CultureInfo.InvariantCulture), f[0].StartsWith('C'), f[7], f[2]));
        }

        return result;
    }

    /// <summary>Orders by invoice; each cancellation line undoes the latest invoice of its customer with its product at or before it.</summary>
    public static List<(string Customer, DateTime PlacedAt, decimal Net)> KeptOrders(List<Line> lines)
    {
        var kept = new List<(string, DateTime, decimal)>();
        foreach (var customer in lines.GroupBy(l => l.Customer))
        {
            var purchases = customer.Where(l => !l.Cancelled).ToList();
            var refunded = new Dictionary<string, decimal>();
            foreach (var c in customer.Where(l => l.Cancelled))
            {
                var undone = purchases.Where(p => p.Product == c.Product && p.At <= c.At).OrderByDescending(p => p.At).ThenBy(p => p.Invoice, StringComparer.Ordinal).FirstOrDefault();
                if (undone is not null)
                {
                    refunded[undone.Invoice] = refunded.GetValueOrDefault(undone.Invoice) + Math.Abs(c.Amount);
                }
            }

            foreach (var order in purchases.GroupBy(p => p.Invoice))
            {
                var gross = order.Sum(p => p.Amount);
                var back = refunded.GetValueOrDefault(order.Key);
                if (back <= 0 || gross - back > 0)
                {
                    var local = TimeZoneInfo.ConvertTimeFromUtc(order.Min(p => p.At), London);
                    kept.Add((customer.Key, local, gross - back));
                }
            }
        }

        return kept;
    }

    public static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }
}
