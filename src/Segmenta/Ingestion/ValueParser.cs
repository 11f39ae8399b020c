using System.Globalization;

namespace Segmenta.Ingestion;

/// <summary>
/// Converts source text to typed values, invariantly. Each method returns null on success or the
/// reason the text is not a value of that type, which becomes the quarantine reason.
/// </summary>
internal static class ValueParser
{
    /// <summary>DECIMAL(18,4) holds magnitudes below 10^14.</summary>
    private const decimal NumberLimit = 100_000_000_000_000m;

    public static string? ParseInteger(ReadOnlySpan<char> text, out long value)
    {
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        // "3.0" is a whole number written as a decimal (common in exports); "3.5" is not.
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d))
        {
            if (d is >= long.MinValue and <= long.MaxValue)
            {
                value = (long)d;
                return null;
            }

            return $"`{text}` is too large for a whole number (at most 19 digits)";
        }

        return $"`{text}` is not a whole number";
    }

    public static string? ParseNumber(ReadOnlySpan<char> text, out decimal value)
    {
        text = text.Trim();
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return $"`{text}` is not a number";
        }

        // Rounded to the stored 4 decimals first: 99999999999999.99995 rounds up to 10^14, which no longer fits.
        value = decimal.Round(value, 4, MidpointRounding.ToEven);
        if (Math.Abs(value) >= NumberLimit)
        {
            return $"`{text}` is too large (numbers are stored with 14 integer digits and 4 decimals)";
        }

        return null;
    }

    public static string? ParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        text = text.Trim();
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("t", StringComparison.OrdinalIgnoreCase)
            || text.Equals("yes", StringComparison.OrdinalIgnoreCase) || text.Equals("y", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("1"))
        {
            value = true;
            return null;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("f", StringComparison.OrdinalIgnoreCase)
            || text.Equals("no", StringComparison.OrdinalIgnoreCase) || text.Equals("n", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("0"))
        {
            value = false;
            return null;
        }

        value = false;
        return $"`{text}` is not true or false";
    }

    public static string? ParseDate(ReadOnlySpan<char> text, IReadOnlyList<string> formats, out DateOnly value)
    {
        text = text.Trim();
        if (formats.Count == 0)
        {
            if (text.Length >= 10 && TryIsoDate(text, out var y, out var m, out var d) && IsValidDate(y, m, d))
            {
                value = new DateOnly(y, m, d);
                return null;
            }
        }
        else
        {
            foreach (var format in formats)
            {
                if (DateOnly.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
                {
                    return null;
                }

                if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
                {
                    value = DateOnly.FromDateTime(dt);
                    return null;
                }
            }
        }

        value = default;
        return $"`{text}` is not a date" + (formats.Count == 0 ? " (expected yyyy-MM-dd)" : $" in the format {string.Join(" or ", formats)}");
    }

    /// <summary>Parses an instant; text without an offset is a local time in <paramref name="zone"/>.</summary>
    public static string? ParseTimestamp(ReadOnlySpan<char> text, IReadOnlyList<string> formats, TimeZoneInfo zone, out DateTime utc)
    {
        text = text.Trim();
        DateTime local;
        TimeSpan? offset;
        if (formats.Count == 0)
        {
            if (!TryIsoTimestamp(text, out local, out offset))
            {
                utc = default;
                return $"`{text}` is not a timestamp (expected ISO 8601, such as 2024-05-01T13:45:00Z)";
            }
        }
        else
        {
            offset = null;
            local = default;
            var parsed = false;
            foreach (var format in formats)
            {
                if (DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dto) && format.Contains('z', StringComparison.Ordinal))
                {
                    (local, offset, parsed) = (dto.DateTime, dto.Offset, true);
                    break;
                }

                if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
                {
                    (local, parsed) = (dt, true);
                    break;
                }
            }

            if (!parsed)
            {
                utc = default;
                return $"`{text}` is not a timestamp in the format {string.Join(" or ", formats)}";
            }
        }

        if (offset is { } o)
        {
            utc = DateTime.SpecifyKind(local - o, DateTimeKind.Utc);
            return null;
        }

        if (zone == TimeZoneInfo.Utc)
        {
            utc = DateTime.SpecifyKind(local, DateTimeKind.Utc);
            return null;
        }

        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            utc = default;
            return $"`{text}` does not exist in {zone.Id} (the clocks skip it)";
        }

        utc = TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
        return null;
    }

    /// <summary>yyyy-MM-dd[(T| )HH:mm[:ss[.f…]]][Z|±HH[:]mm]: the fast path for the usual exports.</summary>
    internal static bool TryIsoTimestamp(ReadOnlySpan<char> s, out DateTime local, out TimeSpan? offset)
    {
        local = default;
        offset = null;
        if (s.Length < 10 || !TryIsoDate(s, out var year, out var month, out var day) || !IsValidDate(year, month, day))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        var i = 10;
        if (i < s.Length && (s[i] == 'T' || s[i] == ' '))
        {
            if (s.Length < i + 6 || !TwoDigits(s, i + 1, out hour) || s[i + 3] != ':' || !TwoDigits(s, i + 4, out minute))
            {
                return false;
            }

            i += 6;
            if (i < s.Length && s[i] == ':')
            {
                if (!TwoDigits(s, i + 1, out second))
                {
                    return false;
                }

                i += 3;
                if (i < s.Length && s[i] == '.')
                {
                    i++;
                    var scale = TimeSpan.TicksPerSecond / 10;
                    var digits = 0;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        if (digits++ < 7)
                        {
                            ticks += (s[i] - '0') * scale;
                            scale /= 10;
                        }

                        i++;
                    }

                    if (digits == 0)
                    {
                        return false;
                    }
                }
            }

            if (hour > 23 || minute > 59 || second > 59)
            {
                return false;
            }
        }

        if (i < s.Length)
        {
            if (s[i] == 'Z' && i + 1 == s.Length)
            {
                offset = TimeSpan.Zero;
            }
            else if (s[i] is '+' or '-')
            {
                var sign = s[i] == '-' ? -1 : 1;
                var rest = s[(i + 1)..];
                int oh, om;
                if (rest.Length == 5 && rest[2] == ':' && TwoDigits(rest, 0, out oh) && TwoDigits(rest, 3, out om))
                {
                }
                else if (rest.Length == 4 && TwoDigits(rest, 0, out oh) && TwoDigits(rest, 2, out om))
                {
                }
                else if (rest.Length == 2 && TwoDigits(rest, 0, out oh))
                {
                    om = 0;
                }
                else
                {
                    return false;
                }

                offset = new TimeSpan(sign * oh, sign * om, 0);
            }
            else
            {
                return false;
            }
        }

        local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        return true;
    }

    private static bool TryIsoDate(ReadOnlySpan<char> s, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (s[4] != '-' || s[7] != '-' || !TwoDigits(s, 5, out month) || !TwoDigits(s, 8, out day))
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            if (!char.IsAsciiDigit(s[k]))
            {
                return false;
            }

            year = (year * 10) + (s[k] - '0');
        }

        return s.Length == 10 || s[10] is 'T' or ' ';
    }

    private static bool IsValidDate(int year, int month, int day) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);

    private static bool TwoDigits(ReadOnlySpan<char> s, int at, out int value)
    {
        value = 0;
        if (at + 1 >= s.Length || !char.IsAsciiDigit(s[at]) || !char.IsAsciiDigit(s[at + 1]))
        {
            return false;
        }

        value = ((s[at] - '0') * 10) + (s[at + 1] - '0');
        return true;
    }
}
