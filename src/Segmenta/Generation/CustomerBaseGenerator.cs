using System.Globalization;
using System.Text;
using Segmenta.Numerics;

namespace Segmenta.Generation;

/// <summary>What to generate.</summary>
/// <param name="Customers">Customers to create.</param>
/// <param name="Events">The target number of events; the result is within a fraction of a percent (see <see cref="GeneratedBase.Events"/>).</param>
/// <param name="Seed">Same seed, same bytes.</param>
/// <param name="AsOf">The end of the observed history (exclusive); history covers the two years before it.</param>
/// <param name="ErrorRate">Share of rows written deliberately malformed, to exercise quarantine.</param>
public sealed record GeneratorOptions(int Customers, long Events, int Seed, DateTime AsOf, double ErrorRate = 0)
{
    /// <summary>The default end of history: fixed, so that a default run is reproducible.</summary>
    public static readonly DateTime DefaultAsOf = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
}

/// <summary>The files written and what is in them.</summary>
/// <param name="CustomersFile">customers.csv.</param>
/// <param name="EventsFile">events.csv.</param>
/// <param name="PersonasFile">personas.csv: the latent persona of each customer (the ground truth for clustering).</param>
/// <param name="ConsentsFile">consents.csv: push consent granted in the app (and some withdrawn later), as consent events.</param>
/// <param name="Customers">Customer rows written.</param>
/// <param name="Events">Event rows written.</param>
/// <param name="MalformedRows">Rows written deliberately malformed (customers and events).</param>
public sealed record GeneratedBase(string CustomersFile, string EventsFile, string PersonasFile, string ConsentsFile, long Customers, long Events, long MalformedRows);

/// <summary>
/// Writes a realistic synthetic customer base as CSV: latent personas with distinct demographics and
/// income; BG/NBD purchase timing with customer-level heterogeneity and dropout; Gamma-Gamma spend;
/// browsing sessions; weekly e-mail campaigns with opens, clicks and attributed purchases; ad
/// impressions and clicks. Customers are generated in parallel chunks from per-customer random
/// streams and written in order, so the output depends only on the options.
/// </summary>
public static class CustomerBaseGenerator
{
    internal static readonly string[] Categories = ["apparel", "shoes", "electronics", "home", "beauty", "books", "toys", "grocery"];
    private static readonly string[] Channels = ["web", "app", "store"];
    private static readonly (string Country, double Weight, string[] Cities, string[] Regions)[] Places =
    [
        ("US", 0.48, ["New York", "Los Angeles", "Chicago", "Houston", "Seattle", "Boston", "Austin"], ["NY", "CA", "IL", "TX", "WA", "MA", "TX"]),
        ("GB", 0.14, ["London", "Manchester", "Bristol", "Leeds", "Glasgow"], ["England", "England", "England", "England", "Scotland"]),
        ("DE", 0.10, ["Berlin", "Munich", "Hamburg", "Cologne"], ["BE", "BY", "HH", "NW"]),
        ("FR", 0.08, ["Paris", "Lyon", "Marseille", "Toulouse"], ["IDF", "ARA", "PAC", "OCC"]),
        ("CA", 0.08, ["Toronto", "Vancouver", "Montreal", "Calgary"], ["ON", "BC", "QC", "AB"]),
        ("AU", 0.06, ["Sydney", "Melbourne", "Brisbane"], ["NSW", "VIC", "QLD"]),
        ("NL", 0.06, ["Amsterdam", "Rotterdam", "Utrecht"], ["NH", "ZH", "UT"]),
    ];

    private static readonly string[] FirstNamesF = ["Emma", "Olivia", "Ava", "Sophia", "Mia", "Amelia", "Hannah", "Lea", "Chloe", "Julia", "Grace", "Nora"];
    private static readonly string[] FirstNamesM = ["Liam", "Noah", "Oliver", "James", "Lucas", "Henry", "Leon", "Hugo", "Jack", "Ethan", "Felix", "Max"];
    private static readonly string[] LastNames = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martin", "Müller", "Schmidt", "Dubois", "Wilson", "Taylor", "Clark", "de Vries", "Nguyen", "O'Brien"];

    private const string EventHeader = "event_id,customer_id,event_type,occurred_at,revenue,quantity,order_id,product,category,channel,campaign_id,duration_seconds";
    private const string CustomerHeader = "customer_id,email,first_name,last_name,gender,birth_date,age,country,region,city,postal_code,income,signup_at,email_opt_in";
    private const int ChunkSize = 512;
    private const double HistoryYears = 2.0;
    private const double TicksPerYear = TimeSpan.TicksPerDay * 365.25;

    /// <summary>Generates the base into <paramref name="directory"/>.</summary>
    public static GeneratedBase Write(GeneratorOptions options, string directory, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Customers);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Events);
        Directory.CreateDirectory(directory);
        var scale = Calibrate(options);

        var customersPath = Path.Combine(directory, "customers.csv");
        var eventsPath = Path.Combine(directory, "events.csv");
        var personasPath = Path.Combine(directory, "personas.csv");
        var consentsPath = Path.Combine(directory, "consents.csv");
        using var customers = OpenWriter(customersPath, CustomerHeader);
        using var events = OpenWriter(eventsPath, EventHeader);
        using var personas = OpenWriter(personasPath, "customer_id,persona");
        using var consents = OpenWriter(consentsPath, "customer_id,event_type,occurred_at,channel");

        long eventCount = 0, malformed = 0;
        var chunks = (options.Customers + ChunkSize - 1) / ChunkSize;
        var window = Math.Max(2, Environment.ProcessorCount * 2);
        for (var first = 0; first < chunks; first += window)
        {
            var count = Math.Min(window, chunks - first);
            var results = new ChunkOutput[count];
            Parallel.For(0, count, i => results[i] = GenerateChunk(options, scale, first + i, write: true));
            foreach (var r in results)
            {
                customers.Write(r.Customers!.ToString());
                events.Write(r.Events!.ToString());
                personas.Write(r.Personas!.ToString());
                consents.Write(r.Consents!.ToString());
                eventCount += r.EventCount;
                malformed += r.Malformed;
            }

            progress?.Report((double)(first + count) / chunks);
        }

        return new GeneratedBase(customersPath, eventsPath, personasPath, consentsPath, options.Customers, eventCount, malformed);
    }

    private static StreamWriter OpenWriter(string path, string header)
    {
        var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        writer.WriteLine(header);
        return writer;
    }

    /// <summary>
    /// Purchases follow the personas exactly; browsing, e-mail and ad volumes scale so the total lands
    /// on the requested event count. The scale is fitted on about 32 chunks spread over the base, three times.
    /// </summary>
    private static double Calibrate(GeneratorOptions options)
    {
        var chunks = (options.Customers + ChunkSize - 1) / ChunkSize;
        var every = Math.Max(1, chunks / 32);
        var sample = Enumerable.Range(0, chunks).Where(c => c % every == 0).ToArray();
        var sampledCustomers = sample.Sum(c => Math.Min(ChunkSize, options.Customers - (c * ChunkSize)));
        var target = options.Events * (double)sampledCustomers / options.Customers;
        var scale = 1.0;
        for (var round = 0; round < 3; round++)
        {
            var outputs = new ChunkOutput[sample.Length];
            var s = scale;
            Parallel.For(0, sample.Length, i => outputs[i] = GenerateChunk(options, s, sample[i], write: false));
            var fixedPart = outputs.Sum(o => o.FixedEvents);
            var scaledPart = outputs.Sum(o => o.EventCount - o.FixedEvents);
            if (scaledPart <= 0)
            {
                break;
            }

            scale = Math.Clamp(scale * Math.Max(target - fixedPart, 0.01 * scaledPart) / scaledPart, 0.002, 50);
        }

        return scale;
    }

    private sealed class ChunkOutput
    {
        public StringBuilder? Customers;
        public StringBuilder? Events;
        public StringBuilder? Personas;
        public StringBuilder? Consents;
        public long EventCount;
        public long FixedEvents;
        public long Malformed;
    }

    private enum Kind : byte { Purchase, Refund, Session, PageView, ProductView, CartAdd, EmailSent, EmailOpen, EmailClick, AdImpression, AdClick }

    private static readonly string[] KindNames = ["purchase", "refund", "session", "page_view", "product_view", "cart_add", "email_sent", "email_open", "email_click", "ad_impression", "ad_click"];

    private record struct Event(long Ticks, Kind Kind, decimal Revenue, int Quantity, int Order, int Product, int Category, int Channel, int Campaign, int Duration);

    /// <summary>
    /// Push consent, from its own random stream so the rest of the base does not depend on it: three in four customers who
    /// used the app allowed notifications a minute after their first app event; one in ten of those turned them off later.
    /// </summary>
    private static void Consents(StringBuilder output, GeneratorOptions options, int index, string id, List<Event> events, long end)
    {
        const int App = 1;
        var first = events.FindIndex(e => e.Channel == App);
        var rng = Xoshiro.For(options.Seed, index, 0xC0_25E7);
        if (first < 0 || !rng.Chance(0.75))
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var granted = events[first].Ticks - (events[first].Ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerMinute;
        output.Append(inv, $"{id},consent_granted,{new DateTime(granted):yyyy-MM-dd'T'HH:mm:ss'Z'},push\n");
        if (rng.Chance(0.1) && granted < end)
        {
            var withdrawn = granted + (long)(rng.NextDouble() * (end - granted));
            output.Append(inv, $"{id},consent_withdrawn,{new DateTime(withdrawn - (withdrawn % TimeSpan.TicksPerSecond)):yyyy-MM-dd'T'HH:mm:ss'Z'},push\n");
        }
    }

    private static ChunkOutput GenerateChunk(GeneratorOptions options, double scale, int chunk, bool write)
    {
        var output = new ChunkOutput();
        if (write)
        {
            output.Customers = new StringBuilder(ChunkSize * 160);
            output.Events = new StringBuilder(ChunkSize * 200);
            output.Personas = new StringBuilder(ChunkSize * 32);
            output.Consents = new StringBuilder(ChunkSize * 24);
        }

        var inv = CultureInfo.InvariantCulture;
        var end = options.AsOf.Ticks;
        var start = end - (long)(HistoryYears * TicksPerYear);
        var idWidth = Math.Max(6, options.Customers.ToString(inv).Length);
        var personaWeights = Persona.All.Select(p => p.Weight).ToArray();
        var placeWeights = Places.Select(p => p.Weight).ToArray();
        var events = new List<Event>(256);
        var from = chunk * ChunkSize;
        var to = Math.Min(options.Customers, from + ChunkSize);
        for (var index = from; index < to; index++)
        {
            var rng = Xoshiro.For(options.Seed, index);
            var persona = Persona.All[rng.Pick(personaWeights)];
            var id = "C" + (index + 1).ToString(inv).PadLeft(idWidth, '0');

            // Profile.
            var female = rng.Chance(persona.FemaleShare);
            var gender = rng.Chance(0.02) ? "X" : female ? "F" : "M";
            var age = (int)Math.Clamp(Math.Round(rng.Normal(persona.AgeMean, persona.AgeSd)), 18, 90);
            var birth = new DateTime(options.AsOf.Year - age - 1, 1, 1).AddDays(rng.NextInt(365));
            var placeIndex = rng.Pick(placeWeights);
            var place = Places[placeIndex];
            var cityIndex = rng.NextInt(place.Cities.Length);
            var income = Math.Round(Math.Exp(rng.Normal(persona.IncomeLogMean, persona.IncomeLogSd)) / 100) * 100;
            // Acquisition: spread over three years before as-of, so some customers predate the history window.
            var acquired = end - (long)(rng.NextDouble() * 3.0 * TicksPerYear) - TimeSpan.TicksPerDay;
            var optIn = rng.Chance(persona.OptIn);

            // Purchases: BG/NBD.
            var lambda = rng.Gamma(persona.R, persona.Alpha);           // purchases per year while alive
            var dropout = rng.Beta(persona.A, persona.B);
            var nu = rng.Gamma(persona.Q, persona.MeanOrderValue * (persona.Q - 1) / persona.SpendShape);
            var categoryWeights = persona.CategoryWeights;
            events.Clear();
            var t = acquired;
            var order = 0;
            var alive = true;
            long death = end;
            while (alive && t < end)
            {
                var purchaseAt = t;
                if (persona.HolidayShare > 0 && rng.Chance(persona.HolidayShare))
                {
                    // Gifters cluster their purchases in November and December of that year.
                    var d = new DateTime(purchaseAt, DateTimeKind.Utc);
                    var holiday = new DateTime(d.Year, 11, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(rng.NextInt(55));
                    if (holiday.Ticks < end && holiday.Ticks >= acquired)
                    {
                        purchaseAt = holiday.Ticks + (long)(rng.NextDouble() * TimeSpan.TicksPerDay);
                    }
                }

                if (purchaseAt >= start)
                {
                    order++;
                    var channel = rng.Pick(persona.ChannelWeights);
                    var category = rng.Pick(categoryWeights);
                    var value = (decimal)Math.Round(Math.Max(1.0, rng.Gamma(persona.SpendShape, nu)), 2);
                    var quantity = 1 + rng.Poisson(0.6);
                    var product = (category * 1000) + rng.NextInt(400);
                    if (channel != 2)
                    {
                        var session = purchaseAt - (long)(rng.NextDouble() * TimeSpan.TicksPerHour);
                        events.Add(new Event(session, Kind.Session, 0, 0, 0, 0, 0, channel, -1, 120 + rng.NextInt(1500)));
                        events.Add(new Event(session + TimeSpan.TicksPerMinute, Kind.ProductView, 0, 0, 0, product, category, channel, -1, 0));
                        events.Add(new Event(session + (2 * TimeSpan.TicksPerMinute), Kind.CartAdd, 0, quantity, 0, product, category, channel, -1, 0));
                    }

                    events.Add(new Event(purchaseAt, Kind.Purchase, value, quantity, order, product, category, channel, -1, 0));
                    if (rng.Chance(0.04))
                    {
                        var refundAt = purchaseAt + (long)((3 + rng.NextDouble() * 25) * TimeSpan.TicksPerDay);
                        if (refundAt < end)
                        {
                            events.Add(new Event(refundAt, Kind.Refund, -value, -quantity, order, product, category, channel, -1, 0));
                        }
                    }
                }

                if (rng.Chance(dropout))
                {
                    alive = false;
                    death = t;
                    break;
                }

                // A slow buyer's next purchase can lie millions of years out: stop at the horizon.
                var gapYears = rng.Exponential(lambda);
                if (gapYears * TicksPerYear >= end - t)
                {
                    break;
                }

                t += (long)(gapYears * TicksPerYear);
            }

            var fixedEvents = events.Count;

            // Browsing while engaged (and a little after dropping out).
            var engagedUntil = Math.Min(end, death + (long)(0.15 * TicksPerYear));
            var engagedFrom = Math.Max(start, acquired);
            var engagedYears = Math.Max(0, (engagedUntil - engagedFrom) / TicksPerYear);
            var sessions = rng.Poisson(persona.BrowsePerYear * engagedYears * scale);
            for (var s = 0; s < sessions; s++)
            {
                var at = engagedFrom + (long)(rng.NextDouble() * (engagedUntil - engagedFrom));
                var channel = rng.Pick(persona.ChannelWeights.AsSpan(0, 2));
                events.Add(new Event(at, Kind.Session, 0, 0, 0, 0, 0, channel, -1, 30 + rng.NextInt(900)));
                var pages = 1 + rng.Poisson(1.5);
                for (var p = 0; p < pages; p++)
                {
                    var category = rng.Pick(categoryWeights);
                    events.Add(new Event(at + ((p + 1) * 40 * TimeSpan.TicksPerSecond), rng.Chance(0.4) ? Kind.ProductView : Kind.PageView, 0, 0, 0, (category * 1000) + rng.NextInt(400), category, channel, -1, 0));
                }
            }

            // Weekly e-mail campaigns to opted-in customers.
            if (optIn)
            {
                var openRate = rng.Beta(persona.OpenA, persona.OpenB);
                var sendShare = Math.Min(1.0, 0.6 * scale);
                var firstCampaign = (int)Math.Max(0, (Math.Max(start, acquired) - start) / (7 * TimeSpan.TicksPerDay)) + 1;
                var campaigns = (int)((end - start) / (7 * TimeSpan.TicksPerDay));
                for (var c = firstCampaign; c < campaigns; c++)
                {
                    if (!rng.Chance(sendShare))
                    {
                        continue;
                    }

                    var sentAt = start + (c * 7 * TimeSpan.TicksPerDay) + (9 * TimeSpan.TicksPerHour);
                    events.Add(new Event(sentAt, Kind.EmailSent, 0, 0, 0, 0, 0, 3, c, 0));
                    var engaged = sentAt < engagedUntil;
                    if (!rng.Chance(engaged ? openRate : openRate * 0.2))
                    {
                        continue;
                    }

                    var openedAt = sentAt + (long)(rng.Exponential(1.0 / 6) * TimeSpan.TicksPerHour);
                    if (openedAt >= end)
                    {
                        continue;
                    }

                    events.Add(new Event(openedAt, Kind.EmailOpen, 0, 0, 0, 0, 0, 3, c, 0));
                    if (!rng.Chance(persona.ClickGivenOpen))
                    {
                        continue;
                    }

                    var clickedAt = openedAt + (long)(rng.NextDouble() * 10 * TimeSpan.TicksPerMinute);
                    events.Add(new Event(clickedAt, Kind.EmailClick, 0, 0, 0, 0, 0, 3, c, 0));
                    if (engaged && rng.Chance(persona.ConvertGivenClick) && clickedAt + TimeSpan.TicksPerHour < end)
                    {
                        order++;
                        var category = rng.Pick(categoryWeights);
                        var value = (decimal)Math.Round(Math.Max(1.0, rng.Gamma(persona.SpendShape, nu) * 0.9), 2);
                        events.Add(new Event(clickedAt + (long)(rng.NextDouble() * TimeSpan.TicksPerHour), Kind.Purchase, value, 1, order, (category * 1000) + rng.NextInt(400), category, 0, c, 0));
                    }
                }
            }

            // Ads.
            var impressions = rng.Poisson(persona.AdImpressionsPerYear * engagedYears * scale);
            for (var a = 0; a < impressions; a++)
            {
                var at = engagedFrom + (long)(rng.NextDouble() * (engagedUntil - engagedFrom));
                events.Add(new Event(at, Kind.AdImpression, 0, 0, 0, 0, 0, 4, -1, 0));
                if (rng.Chance(persona.AdCtr))
                {
                    events.Add(new Event(at + (5 * TimeSpan.TicksPerSecond), Kind.AdClick, 0, 0, 0, 0, 0, 4, -1, 0));
                }
            }

            events.RemoveAll(e => e.Ticks < start || e.Ticks >= end);
            output.EventCount += events.Count;
            output.FixedEvents += Math.Min(fixedEvents, events.Count);
            if (!write)
            {
                continue;
            }

            events.Sort((x, y) => x.Ticks != y.Ticks ? x.Ticks.CompareTo(y.Ticks) : x.Kind.CompareTo(y.Kind));
            var first = female ? FirstNamesF[rng.NextInt(FirstNamesF.Length)] : FirstNamesM[rng.NextInt(FirstNamesM.Length)];
            var last = LastNames[rng.NextInt(LastNames.Length)];
            var customerMalformed = rng.Chance(options.ErrorRate);
            var c1 = output.Customers!;
            c1.Append(id).Append(',');
            c1.Append(inv, $"{id.ToLowerInvariant()}@example.com,{first},{Quote(last)},{gender},");
            c1.Append(customerMalformed ? "31/02/1990" : birth.ToString("yyyy-MM-dd", inv)).Append(',');
            c1.Append(inv, $"{age},{place.Country},{place.Regions[cityIndex]},{place.Cities[cityIndex]},,{income},");
            c1.Append(new DateTime(Math.Max(acquired, start - (long)(TicksPerYear * 1.5)), DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv)).Append(',');
            c1.Append(optIn ? "true" : "false").Append('\n');
            output.Malformed += customerMalformed ? 1 : 0;
            output.Personas!.Append(id).Append(',').Append(persona.Name).Append('\n');
            Consents(output.Consents!, options, index, id, events, end);

            var sb = output.Events!;
            for (var k = 0; k < events.Count; k++)
            {
                var e = events[k];
                var broken = options.ErrorRate > 0 && rng.Chance(options.ErrorRate) ? 1 + rng.NextInt(3) : 0;
                output.Malformed += broken > 0 ? 1 : 0;
                sb.Append('E').Append(id.AsSpan(1)).Append('-').Append(k.ToString("x", inv)).Append(',');
                sb.Append(broken == 1 ? "" : id).Append(',');
                sb.Append(broken == 2 ? "purchse" : KindNames[(int)e.Kind]).Append(',');
                sb.Append(broken == 3 ? "2024-13-45 25:61" : new DateTime(e.Ticks - (e.Ticks % TimeSpan.TicksPerSecond)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv)).Append(',');
                if (e.Kind is Kind.Purchase or Kind.Refund)
                {
                    sb.Append(e.Revenue.ToString("0.00", inv)).Append(',').Append(e.Quantity.ToString(inv)).Append(',');
                    sb.Append(inv, $"{id}-{e.Order}").Append(',');
                }
                else if (e.Kind == Kind.CartAdd)
                {
                    sb.Append(',').Append(e.Quantity.ToString(inv)).Append(",,");
                }
                else
                {
                    sb.Append(",,,");
                }

                if (e.Kind is Kind.Purchase or Kind.Refund or Kind.ProductView or Kind.CartAdd or Kind.PageView)
                {
                    sb.Append(inv, $"P{e.Product:D5},{Categories[e.Category]},");
                }
                else
                {
                    sb.Append(",,");
                }

                sb.Append(e.Channel switch { 3 => "email", 4 => "ads", var ch => Channels[ch] }).Append(',');
                if (e.Campaign >= 0)
                {
                    sb.Append(inv, $"CMP{e.Campaign:D3}");
                }

                sb.Append(',');
                if (e.Kind == Kind.Session)
                {
                    sb.Append(e.Duration.ToString(inv));
                }

                sb.Append('\n');
            }
        }

        return output;
    }

    private static string Quote(string value) =>
        value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
