using System.Globalization;
using Segmenta.Numerics;

namespace Segmenta.Contracts;

/// <summary>Writes random well-formed segment conditions over <see cref="RandomWorkspace"/>'s schema, seeded.</summary>
internal sealed class RandomSegments(ulong seed)
{
    private Xoshiro rng = new(seed);

    public string Next() => Condition(0);

    private int Pick(int n) => rng.NextInt(n);

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.NextInt(items.Count)];

    private bool Chance(double p) => rng.NextDouble() < p;

    private string Condition(int depth)
    {
        var roll = rng.NextDouble();
        if (depth < 3 && roll < 0.35)
        {
            var items = Enumerable.Range(0, 2 + Pick(2)).Select(_ => Condition(depth + 1)).ToList();
            var joined = string.Join(Chance(0.5) ? " and " : " or ", items);
            return depth == 0 ? joined : "(" + joined + ")";
        }

        if (depth < 3 && roll < 0.45)
        {
            return "not " + Parenthesized(Condition(depth + 1));
        }

        return Leaf();
    }

    private static string Parenthesized(string s) => s.StartsWith('(') ? s : "(" + s + ")";

    private string Leaf() => Pick(17) switch
    {
        14 or 15 => Expression(),
        16 => Pick(4) switch { 0 => QuotedAndExact(), 1 => FilterExpression(), 2 => Chance(0.5) ? "is anonymous" : "is not anonymous", _ => ComputedTrait() },
        0 or 1 => AgeTest(),
        2 => TextTest("country", RandomWorkspace.Countries.Append("u").Append("A").ToList()),
        3 => TextTest("email", ["gmail", "GMAIL.com", ".org", "ann", "bob1"]),
        4 => IncomeTest(),
        5 => TimeTest("signup_at"),
        6 => Pick(3) switch
        {
            0 => DateTest("birth_date"),
            1 => Chance(0.5) ? "email_opt_in" : "email_opt_in = " + (Chance(0.5) ? "true" : "false"),
            _ => (Chance(0.3) ? "not " : "") + "consented " + (Chance(0.2) ? "to " : "") + Pick(["email", "email", "sms", "push"]),
        },
        7 or 8 => AggregateTest(),
        9 => Did(),
        10 => Chance(0.5) ? LastOrFirst() : Did(),
        11 => Chance(0.7) ? SegmentReference() : $"({SegmentReference()} and {Leaf()}) or ({SegmentReference()} and not {Parenthesized(Leaf())})",
        12 => Derived(),
        _ => Rank(),
    };

    /// <summary>One of <see cref="Segmenta.Tests.Language.LanguageFixtures.Library"/>'s segments: plain, sequences, rankings, and segments that refer to one segment twice.</summary>
    private string SegmentReference() => "in segment " + Pick(["vip", "unsubscribed", "vip_abroad", "quick_buyer", "big_spender", "twice_quick", "mixed"]);

    private string AgeTest() => Pick(8) switch
    {
        0 => $"age {Pick(["=", "!=", "<", "<=", ">", ">="])} {18 + Pick(60)}",
        1 => $"age between {20 + Pick(20)} and {40 + Pick(30)}",
        2 => $"age not between {20 + Pick(20)} and {40 + Pick(30)}",
        3 => $"age in ({18 + Pick(60)}, {18 + Pick(60)}, {18 + Pick(60)})",
        4 => $"age not in ({18 + Pick(60)}, {18 + Pick(60)})",
        5 => "age is null",
        6 => "age is not null",
        _ => $"age >= {18 + Pick(60)}.5",
    };

    private string TextTest(string field, IReadOnlyList<string> values) => Pick(9) switch
    {
        0 => $"{field} = \"{Pick(values)}\"",
        1 => $"{field} != \"{Pick(values)}\"",
        2 => $"{field} in (\"{Pick(values)}\", \"{Pick(values)}\")",
        3 => $"{field} not in (\"{Pick(values)}\", \"{Pick(values)}\")",
        4 => $"{field} contains \"{Pick(values)}\"",
        5 => $"{field} starts with \"{Pick(values)}\"",
        6 => $"{field} ends with \"{Pick(values)}\"",
        7 => $"{field} not contains \"{Pick(values)}\"",
        _ => $"{field} is {(Chance(0.5) ? "" : "not ")}null",
    };

    private string IncomeTest() => Pick(3) switch
    {
        0 => $"income {Pick(["<", ">=", "="])} {20_000 + Pick(100_000)}",
        1 => $"income between {20_000 + Pick(40_000)} and {60_000 + Pick(60_000)}",
        _ => "income is null",
    };

    private string Date() => new DateOnly(2022, 6, 1).AddDays(Pick(1000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string TimeTest(string value) => Pick(7) switch
    {
        0 => $"{value} {Pick(["=", "!=", "<", "<=", ">", ">="])} {Date()}",
        1 => BetweenDates(value),
        2 => $"{value} within {Quantity()}",
        3 => $"{value} more than {Quantity()} ago",
        4 => $"{value} less than {Quantity()} ago",
        5 => $"{value} in ({Date()}, {Date()})",
        _ => $"{value} is null",
    };

    private string BetweenDates(string value)
    {
        var a = new DateOnly(2022, 6, 1).AddDays(Pick(900));
        var b = a.AddDays(Pick(200));
        return $"{value} {(Chance(0.2) ? "not " : "")}between {a:yyyy-MM-dd} and {b:yyyy-MM-dd}";
    }

    private string DateTest(string value) => Pick(4) switch
    {
        0 => $"{value} {Pick(["<", ">=", "="])} {new DateOnly(1950, 1, 1).AddDays(Pick(20_000)):yyyy-MM-dd}",
        1 => $"{value} more than {18 + Pick(50)} years ago",
        2 => $"{value} within {Pick(["30 years", "400 months", "9000 days"])}",
        _ => $"{value} is not null",
    };

    private string Quantity() => Pick(5) switch
    {
        0 => $"{1 + Pick(72)} hours",
        1 => $"{1 + Pick(400)} days",
        2 => $"{1 + Pick(60)} weeks",
        3 => $"{1 + Pick(20)} months",
        _ => $"{1 + Pick(2)} years",
    };

    private string Window()
    {
        var a = new DateOnly(2023, 1, 1).AddDays(Pick(700));
        return Pick(7) switch
        {
            0 => "last " + Quantity(),
            1 => $"between {a:yyyy-MM-dd} and {a.AddDays(Pick(300)):yyyy-MM-dd}",
            2 => $"since {a:yyyy-MM-dd}",
            3 => $"before {a:yyyy-MM-dd}",
            4 => "all time",
            _ => "last " + Quantity(),
        };
    }

    private string EventType(bool allowAny = true) => allowAny && Chance(0.1) ? "any" : Pick(RandomWorkspace.EventTypes);

    private string Filter()
    {
        if (!Chance(0.35))
        {
            return "";
        }

        var one = Pick(6) switch
        {
            0 => $"category = \"{Pick(RandomWorkspace.Categories)}\"",
            1 => $"channel in (\"{Pick(RandomWorkspace.Channels)}\", \"{Pick(RandomWorkspace.Channels)}\")",
            2 => $"revenue > {Pick(150)}",
            3 => $"not (category = \"{Pick(RandomWorkspace.Categories)}\")",
            4 => "category is null",
            _ => $"(channel = \"web\" or quantity >= {1 + Pick(4)})",
        };
        return " where " + one;
    }

    private string WindowSuffix() => Chance(0.2) ? "" : ", " + Window();

    private string AggregateTest()
    {
        var type = EventType();
        var measure = Pick(8) switch
        {
            0 or 1 => $"count({type}{Filter()}{WindowSuffix()})",
            2 => $"sum({Pick(["purchase", "refund", "any"])}.{Pick(["revenue", "quantity"])}{Filter()}{WindowSuffix()})",
            3 => $"avg(purchase.{Pick(["revenue", "quantity"])}{Filter()}{WindowSuffix()})",
            4 => $"min({Pick(["purchase", "page_view"])}.{Pick(["revenue", "duration_seconds", "category"])}{WindowSuffix()})",
            5 => $"max(purchase.{Pick(["revenue", "quantity", "category"])}{Filter()}{WindowSuffix()})",
            6 => $"count(distinct {type}.{Pick(["category", "channel"])}{WindowSuffix()})",
            _ => $"count({type}.revenue{WindowSuffix()})",
        };
        if (measure.Contains(".category", StringComparison.Ordinal) && !measure.StartsWith("count", StringComparison.Ordinal))
        {
            return $"{measure} {Pick(["=", "<", ">="])} \"{Pick(RandomWorkspace.Categories)}\"";
        }

        return Pick(6) switch
        {
            0 => $"{measure} between {Pick(3)} and {Pick(3) + Pick(300)}",
            1 => $"{measure} is {(Chance(0.5) ? "" : "not ")}null",
            2 => $"{measure} in ({Pick(4)}, {Pick(100)}, {Pick(4) * 25}.5)",
            _ => $"{measure} {Pick(["=", "!=", "<", "<=", ">", ">="])} {(Chance(0.6) ? Pick(4) : Pick(400))}",
        };
    }

    private string Did()
    {
        var window = Chance(0.3) ? "" : " " + Window();
        if (window.StartsWith(" last", StringComparison.Ordinal) && Chance(0.5))
        {
            window = " in" + window;
        }

        string Span() => Pick(3) switch { 0 => $"{1 + Pick(48)} hours", 1 => $"{1 + Pick(60)} days", _ => $"{1 + Pick(8)} weeks" };
        if (Chance(0.3))
        {
            return $"did {(Chance(0.3) ? "not " : "")}{EventType(false)}{Filter()} then {EventType(false)}{Filter()} within {Span()}{window}";
        }

        if (Chance(0.25))
        {
            // Funnels of three or four steps, some steps with a gap of their own, sometimes the last one too (two `within`s).
            var steps = string.Concat(Enumerable.Range(0, 1 + Pick(2)).Select(_ => $" then {EventType(false)}{Filter()}{(Chance(0.4) ? " within " + Span() : "")}"));
            var last = Chance(0.2) ? $" within {Span()}" : "";
            return $"did {(Chance(0.2) ? "not " : "")}{EventType(false)}{Filter()}{steps} then {EventType(false)}{Filter()}{last} within {Span()}{window}";
        }

        return $"did {(Chance(0.3) ? "not " : "")}{EventType()}{Filter()}{window}";
    }

    private string LastOrFirst()
    {
        var aggregate = $"{Pick(["first", "last"])}({EventType()}{Filter()}{WindowSuffix()})";
        return Pick(4) switch
        {
            0 => $"{aggregate} within {Quantity()}",
            1 => $"{aggregate} more than {Quantity()} ago",
            2 => TimeTest(aggregate),
            _ => $"{aggregate} is null",
        };
    }

    private string Derived() => Pick(5) switch
    {
        0 => $"rfm.segment = \"{Pick(RandomWorkspace.RfmSegments)}\"",
        1 => $"rfm.r >= {1 + Pick(5)}",
        2 => "rfm.segment is null",
        3 => $"clv.p_alive < 0.{Pick(10)}",
        _ => $"clv.clv_12m between {Pick(200)} and {200 + Pick(300)}",
    };

    /// <summary>A numeric operand of arithmetic: an aggregate, a trait, a derived field or a number.</summary>
    private string Operand() => Pick(9) switch
    {
        0 => $"count({EventType()}{Filter()}{WindowSuffix()})",
        1 => $"sum({Pick(["purchase", "refund"])}.revenue{WindowSuffix()})",
        2 => $"avg(purchase.{Pick(["revenue", "quantity"])}{WindowSuffix()})",
        3 => "age",
        4 => "income",
        5 => Pick(["rfm.r", "clv.clv_12m", "clv.p_alive"]),
        6 => $"max(page_view.duration_seconds{WindowSuffix()})",
        7 => Chance(0.5) ? $"{Pick(5)}.{Pick(100):00}" : (1 + Pick(40)).ToString(CultureInfo.InvariantCulture),
        _ => $"count({EventType()}.{Pick(["revenue", "category"])})",
    };

    /// <summary>Arithmetic of two or three operands, sometimes parenthesized or negated.</summary>
    private string Arithmetic()
    {
        var text = $"{Operand()} {Pick(["+", "-", "*", "/"])} {Operand()}";
        if (Chance(0.4))
        {
            text = Chance(0.5) ? $"({text}) {Pick(["*", "/"])} {Operand()}" : $"{Operand()} {Pick(["+", "-", "/"])} ({text})";
        }

        return Chance(0.15) ? "-(" + text + ")" : text;
    }

    private string Expression() => Pick(9) switch
    {
        0 => $"count({EventType(false)}{WindowSuffix()}) {Pick(["=", "!=", "<", "<=", ">", ">="])} count({EventType(false)}{WindowSuffix()})",
        1 => $"-sum(refund.revenue{WindowSuffix()}) {Pick([">", ">="])} 0.{1 + Pick(5)} * sum(purchase.revenue{WindowSuffix()})",
        2 => $"{Arithmetic()} {Pick(["=", "!=", "<", "<=", ">", ">="])} {(Chance(0.5) ? Operand() : Arithmetic())}",
        3 => $"{Arithmetic()} {(Chance(0.2) ? "not " : "")}between {Pick(50)} and {50 + Pick(500)}",
        4 => $"{Arithmetic()} {(Chance(0.3) ? "not " : "")}in ({Pick(5)}, {Pick(100)}, {Pick(4)}.5)",
        5 => $"{Arithmetic()} is {(Chance(0.5) ? "" : "not ")}null",
        6 => $"{Pick(["avg(purchase.revenue)", "avg(purchase.quantity, last 1 years)", "income / 1000"])} {Pick(["<", ">=", "="])} {Pick(["avg(purchase.revenue, last 2 years)", "age", "sum(purchase.quantity) / count(purchase)"])}",
        7 => $"{Pick(["first(purchase)", "last(purchase)", "signup_at"])} {Pick(["<", ">=", "=", "!="])} {Pick(["last(email_open)", "first(any)", "signup_at"])}",
        _ => $"{18 + Pick(60)} {Pick(["<", ">="])} age",
    };

    /// <summary>The fixture library's computed traits, tested, combined and ranked by.</summary>
    private string ComputedTrait() => Pick(9) switch
    {
        0 => $"refund_share {Pick([">", "<=", "="])} 0.{Pick(4)}",
        1 => $"favourite_category {Pick(["=", "!="])} \"{Pick(RandomWorkspace.Categories)}\"{(Chance(0.5) ? " case sensitive" : "")}",
        2 => $"days_between_purchases {Pick(["<", ">="])} {1 + Pick(90)}",
        3 => $"{Pick(["top", "bottom"])} {1 + Pick(30)}% by {Pick(["net_revenue", "yearly_value", "refund_share", "days_between_purchases", "age_in_days"])}",
        4 => $"yearly_value - net_revenue {Pick([">", "<"])} {Pick(200)}",
        5 => $"age_in_days {Pick([">", "<"])} {Pick(20_000)} or days_since(last(purchase)) {Pick([">", "<"])} {Pick(400)}.{Pick(10)}",
        6 => "in segment returners",
        7 => $"days_since(signup_at) between {Pick(300)} and {300 + Pick(700)}",
        _ => $"favourite_category is {(Chance(0.5) ? "" : "not ")}null and net_revenue > {Pick(300)}",
    };

    /// <summary>Back-quoted names (which are never keywords) and case-sensitive text tests.</summary>
    private string QuotedAndExact() => Pick(6) switch
    {
        0 => $"`age` {Pick(["<", ">="])} {18 + Pick(60)}",
        1 => $"count(`purchase` where `category` = \"{Pick(RandomWorkspace.Categories)}\"{WindowSuffix()}) > 0",
        2 => $"country = \"{Pick(RandomWorkspace.Countries)}\" case sensitive",
        3 => $"country {(Chance(0.3) ? "not " : "")}in (\"{Pick(RandomWorkspace.Countries)}\", \"{Pick(RandomWorkspace.Countries)}\") case sensitive",
        4 => $"did purchase where category {Pick(["contains", "starts with", "ends with", "="])} \"{Pick(["S", "s", "hoe", "Shoes", "oo"])}\" case sensitive",
        _ => $"country {Pick(["=", "!="])} region{(Chance(0.5) ? " case sensitive" : "")}",
    };

    /// <summary>Arithmetic and comparisons between properties inside an event filter.</summary>
    private string FilterExpression() => Pick(3) switch
    {
        0 => $"count(purchase where revenue {Pick([">", "<=", "="])} quantity * {1 + Pick(40)}{WindowSuffix()}) > {Pick(3)}",
        1 => $"did purchase where revenue / quantity >= {5 + Pick(60)}",
        _ => $"count(any where -duration_seconds < revenue - {Pick(100)}) {Pick([">", "="])} {Pick(3)}",
    };

    private string Rank()
    {
        var measure = Pick(8) switch
        {
            6 => $"sum(purchase.revenue{WindowSuffix()}) - sum(refund.revenue{WindowSuffix()})",
            7 => Arithmetic(),
            0 => $"sum(purchase.revenue{WindowSuffix()})",
            1 => $"count({EventType()}{WindowSuffix()})",
            2 => "age",
            3 => "clv.clv_12m",
            4 => $"last({EventType()})",
            _ => "income",
        };
        var size = Chance(0.5) ? $"{1 + Pick(60)}%" : Chance(0.3) ? $"{1 + Pick(10)}.5 percent" : (1 + Pick(80)).ToString(CultureInfo.InvariantCulture);
        return $"{Pick(["top", "bottom"])} {size} by {measure}";
    }
}
