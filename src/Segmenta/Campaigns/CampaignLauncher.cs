using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Segmenta.Configuration;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Campaigns;

/// <summary>How many customers one segment sends to one arm.</summary>
/// <param name="Segment">The stratum (target segment, or <see cref="CampaignDefinition.Everyone"/>).</param>
/// <param name="Arm">The arm.</param>
/// <param name="Customers">Customers.</param>
public sealed record ArmCount(string Segment, string Arm, long Customers);

/// <summary>Every customer of a campaign with its segment and arm, ordered by customer id (ordinal).</summary>
/// <param name="CustomerIds">The customers.</param>
/// <param name="Segments">Each one's segment: the first target segment it belongs to.</param>
/// <param name="Arms">Each one's arm.</param>
/// <param name="InSeveral">Customers in more than one target segment (each went to the first).</param>
/// <param name="Outside">Customers with a recorded arm who are in no target segment (left out).</param>
/// <param name="Consent">What the consent check did: who it left out of each segment before arms were drawn, or why it did not run.</param>
public sealed record CampaignAssignment(string[] CustomerIds, string[] Segments, string[] Arms, long InSeveral, long Outside, ConsentCheck Consent)
{
    /// <summary>Customers per segment and arm, in the definition's order of segments and arms.</summary>
    public IReadOnlyList<ArmCount> Counts(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var counts = new Dictionary<(string, string), long>();
        for (var i = 0; i < CustomerIds.Length; i++)
        {
            var key = (Segments[i], Arms[i]);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return CampaignLauncher.InArmOrder(definition, counts);
    }
}

/// <summary>A launched campaign as stored: the definition as it was launched and the frozen audience.</summary>
/// <param name="Definition">The definition, parsed from the text stored at launch.</param>
/// <param name="AsOf">The instant membership was evaluated (frozen) at.</param>
/// <param name="SendAt">When the messages went out: the start of the outcome window.</param>
/// <param name="LaunchedAt">When it was launched.</param>
/// <param name="Customers">Customers assigned, all arms.</param>
public sealed record LaunchedCampaign(CampaignDefinition Definition, DateTime AsOf, DateTime SendAt, DateTime LaunchedAt, long Customers)
{
    /// <summary>The end of the outcome window (exclusive).</summary>
    public DateTime WindowEnd => SendAt.AddDays(Definition.Outcome.WindowDays);
}

/// <summary>An audience file written at launch.</summary>
/// <param name="Arm">The arm whose customers it holds.</param>
/// <param name="Path">The file.</param>
/// <param name="Customers">Rows written.</param>
public sealed record AudienceFile(string Arm, string Path, long Customers);

/// <summary>
/// Launches campaigns: evaluates each target segment at the as-of instant, gives each customer to the
/// first segment it belongs to, chooses its arm by a hash of the salt and its id (or reads the arm an
/// experiment recorded), and stores the campaign and every assignment in one transaction. The audience
/// never changes afterwards, whatever later refreshes do to the segments.
/// </summary>
public static class CampaignLauncher
{


    /// <summary>
    /// The assignment hash: the first 8 bytes of SHA-256 of <c>salt + ":" + customer id</c> (UTF-8) as a
    /// big-endian integer over 2⁶⁴, uniform in [0, 1). Anyone can recompute it; a customer keeps its arm
    /// as long as the salt is unchanged.
    /// </summary>
    public static double Bucket(string salt, string customerId)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(customerId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(salt + ":" + customerId), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0;
    }

    /// <summary>The arm of a bucket in a segment: holdout below the holdout share, broadcast in the next share, else the segment's variant.</summary>
    public static string ArmOf(CampaignDefinition definition, string segment, double bucket)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (bucket < definition.Holdout)
        {
            return CampaignDefinition.HoldoutArm;
        }

        if (definition.Broadcast is { } b && bucket < definition.Holdout + b.Share)
        {
            return CampaignDefinition.BroadcastArm;
        }

        return definition.VariantOf(segment)!.Name;
    }

    /// <summary>The arms a segment's customers can be in: holdout first, then the treated arms that segment gets.</summary>
    public static IReadOnlyList<string> ArmsOf(CampaignDefinition definition, string segment)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Recorded is { } recorded)
        {
            return [CampaignDefinition.HoldoutArm, .. recorded.Arms.Select(a => a.Name)];
        }

        return [CampaignDefinition.HoldoutArm, definition.VariantOf(segment)!.Name, .. definition.Broadcast is null ? [] : new[] { CampaignDefinition.BroadcastArm }];
    }

    /// <summary>Customers per segment and arm of a launched campaign, as stored.</summary>
    public static IReadOnlyList<ArmCount> StoredCounts(IWarehouse warehouse, CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(definition);
        var counts = new Dictionary<(string, string), long>();
        warehouse.Read(CampaignSql.StoredCounts(warehouse.Dialect, definition.Name), r => counts[(r.GetString(0), r.GetString(1))] = r.GetInt64(2));
        return InArmOrder(definition, counts);
    }

    /// <summary>Counts in the definition's order of segments, and of arms within each (missing pairs count 0).</summary>
    internal static IReadOnlyList<ArmCount> InArmOrder(CampaignDefinition definition, Dictionary<(string, string), long> counts) =>
        [.. definition.Strata.SelectMany(s => ArmsOf(definition, s).Select(a => new ArmCount(s, a, counts.GetValueOrDefault((s, a)))))];

    /// <summary>Assigns every customer of the campaign as of <paramref name="context"/>; nothing is stored.</summary>
    public static CampaignAssignment Assign(IWarehouse warehouse, SegmentLibrary library, CampaignDefinition definition, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(context);

        // Each customer's stratum: the first target segment that holds it.
        var stratum = new Dictionary<string, string>(StringComparer.Ordinal);
        long inSeveral = 0;
        if (definition.Targets.Count == 0)
        {
            warehouse.Read(CampaignSql.Everyone(warehouse.Dialect), r => stratum[r.GetString(0)] = CampaignDefinition.Everyone);
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var target in definition.Targets)
            {
                var segment = library.Compilation.Find(target.Segment)
                    ?? throw new CampaignException($"campaign `{definition.Name}` targets `{target.Segment}`, which is not a segment that compiles"
                        + Suggestions.DidYouMean(target.Segment, library.Compilation.Segments.Select(s => s.Name)) + "; run `segmenta segment check`");
                warehouse.Read(segment.Query(warehouse.Dialect, context).Members(), r =>
                {
                    var id = r.GetString(0);
                    if (!stratum.TryAdd(id, target.Segment) && seen.Add(id))
                    {
                        inSeveral++;
                    }
                });
            }
        }

        var consent = KeepConsenting(warehouse, library, definition, context, stratum);
        var ids = stratum.Keys.Order(StringComparer.Ordinal).ToList();
        long outside = 0;
        Dictionary<string, string>? recordedArms = null;
        if (definition.Recorded is { } recorded)
        {
            recordedArms = ReadRecordedArms(warehouse, definition.Name, recorded);
            outside = recordedArms.Keys.Count(id => !stratum.ContainsKey(id));
            ids = [.. ids.Where(recordedArms.ContainsKey)];
        }

        var segments = new string[ids.Count];
        var arms = new string[ids.Count];
        Parallel.For(0, ids.Count, i =>
        {
            segments[i] = stratum[ids[i]];
            arms[i] = recordedArms is null ? ArmOf(definition, segments[i], Bucket(definition.Salt, ids[i])) : recordedArms[ids[i]];
        });
        return new CampaignAssignment([.. ids], segments, arms, inSeveral, outside, consent);
    }

    /// <summary>
    /// Removes from <paramref name="stratum"/> each customer who had not consented, at the as-of instant, to every channel its
    /// segment's arms use — before arms are drawn, so holdout and treated arms come from the same contactable customers and
    /// the comparison stays fair. Not for arms recorded elsewhere (those contacts were made) or a file that says
    /// <c>consent: ignore</c>.
    /// </summary>
    private static ConsentCheck KeepConsenting(IWarehouse warehouse, SegmentLibrary library, CampaignDefinition definition, EvaluationContext context, Dictionary<string, string> stratum)
    {
        if (definition.Recorded is not null)
        {
            return ConsentCheck.NotChecked("the arms were recorded by an experiment run elsewhere: its contacts were made already");
        }

        if (definition.IgnoreConsent)
        {
            return ConsentCheck.NotChecked("the campaign file says `consent: ignore`");
        }

        var required = definition.Strata.ToDictionary(s => s, definition.ChannelsOf, StringComparer.Ordinal);
        var consenting = required.Values.SelectMany(c => c).Distinct(StringComparer.Ordinal)
            .ToDictionary(c => c, c => ConsentFilter.Consenting(warehouse, library.Schema, c, context), StringComparer.Ordinal);
        var pairs = definition.Strata.SelectMany(s => required[s].Select(c => (s, c))).ToList();
        var leftOut = pairs.ToDictionary(k => k, _ => 0L);
        foreach (var (id, segment) in stratum.ToList())
        {
            if (required[segment].FirstOrDefault(c => !consenting[c].Contains(id)) is { } lacking)
            {
                stratum.Remove(id);
                leftOut[(segment, lacking)]++;
            }
        }

        return new ConsentCheck(true, null, [.. pairs.Select(p => new ConsentLeftOut(p.s, p.c, leftOut[p]))]);
    }

    private static Dictionary<string, string> ReadRecordedArms(IWarehouse warehouse, string campaign, RecordedArms recorded)
    {
        var columns = warehouse.Columns(TableKind.Customers);
        if (columns.All(c => c.Name != recorded.Field))
        {
            throw new CampaignException($"campaign `{campaign}` reads arms from the customer trait `{recorded.Field}`, which the warehouse does not have"
                + Suggestions.DidYouMean(recorded.Field, columns.Select(c => c.Name)));
        }

        var byValue = recorded.Arms.ToDictionary(a => a.Name, a => a.Name, StringComparer.Ordinal);
        byValue[recorded.Holdout] = CampaignDefinition.HoldoutArm;
        var arms = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new SortedDictionary<string, long>(StringComparer.Ordinal);
        warehouse.Read(CampaignSql.RecordedArms(warehouse.Dialect, recorded.Field), r =>
        {
            var value = r.GetString(1);
            if (byValue.TryGetValue(value, out var arm))
            {
                arms[r.GetString(0)] = arm;
            }
            else
            {
                unknown[value] = unknown.GetValueOrDefault(value) + 1;
            }
        });
        if (unknown.Count > 0)
        {
            throw new CampaignException($"campaign `{campaign}`: customers hold values of `{recorded.Field}` that are neither an arm nor the holdout: "
                + string.Join(", ", unknown.Select(u => string.Create(CultureInfo.InvariantCulture, $"`{u.Key}` ({u.Value:N0})")))
                + "; list them under assignment.arms");
        }

        return arms;
    }

    /// <summary>
    /// Assigns and stores the campaign with its whole audience in one transaction (a crash leaves no
    /// trace); fails if a campaign of that name was launched before.
    /// </summary>
    public static LaunchedCampaign Launch(
        IWarehouse warehouse, SegmentLibrary library, CampaignDefinition definition, EvaluationContext context, DateTime now, out CampaignAssignment assignment, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(context);
        if (Find(warehouse, definition.Name) is { } earlier)
        {
            throw new CampaignLaunchedException($"campaign `{definition.Name}` was launched at {earlier.LaunchedAt:yyyy-MM-dd'T'HH:mm:ss'Z'} with {earlier.Customers:N0} customers; its audience is frozen. Give a changed campaign a new name");
        }

        assignment = Assign(warehouse, library, definition, context);
        var sendAt = definition.SendAt ?? context.AsOf;
        if (sendAt < context.AsOf && definition.Recorded is null)
        {
            throw new CampaignException($"campaign `{definition.Name}` is sent at {sendAt:yyyy-MM-dd'T'HH:mm:ss'Z'}, before the as-of instant its audience is chosen at ({context.AsOf:yyyy-MM-dd'T'HH:mm:ss'Z'}); launch it with --as-of at or before the send");
        }

        var rows = new TableRows(assignment.CustomerIds.Length)
            .Add("campaign", Enumerable.Repeat<string?>(definition.Name, assignment.CustomerIds.Length).ToArray())
            .Add("customer_id", assignment.CustomerIds)
            .Add("segment", assignment.Segments)
            .Add("arm", assignment.Arms);
        warehouse.AppendInTransaction([CampaignSql.InsertCampaign(warehouse.Dialect, definition, now, context.AsOf, sendAt, assignment.CustomerIds.Length)], Tables.CampaignAssignments, rows, cancellation);
        return Find(warehouse, definition.Name)!;
    }

    /// <summary>
    /// A launch as the CLI and the API run it: a dry run assigns the audience without storing anything (and
    /// refuses a campaign already launched); a launch freezes and stores it, then writes one audience file per
    /// variant into <paramref name="directory"/>.
    /// </summary>
    public static (LaunchedCampaign? Launched, CampaignAssignment Assignment, IReadOnlyList<AudienceFile> Files) LaunchOrPreview(
        IWarehouse warehouse, SegmentLibrary library, CampaignDefinition definition, EvaluationContext context, DateTime now, bool dryRun,
        IReadOnlyList<TraitColumn> traits, AudienceFormat format, string directory, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(definition);
        if (dryRun)
        {
            return Find(warehouse, definition.Name) is not null
                ? throw new CampaignLaunchedException($"campaign `{definition.Name}` is already launched; its audience is frozen")
                : (null, Assign(warehouse, library, definition, context), []);
        }

        var launched = Launch(warehouse, library, definition, context, now, out var assignment, cancellation);
        return (launched, assignment, Export(warehouse, launched, context.Zone, traits, format, directory));
    }

    /// <summary>
    /// Writes one audience file per treated arm (customer id, segment, chosen columns — computed fields as of the
    /// launch, in <paramref name="zone"/>), ordered by id, into <paramref name="directory"/>.
    /// </summary>
    public static IReadOnlyList<AudienceFile> Export(IWarehouse warehouse, LaunchedCampaign campaign, TimeZoneInfo zone, IReadOnlyList<TraitColumn> traits, AudienceFormat format, string directory)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(traits);
        var d = warehouse.Dialect;
        var columns = SegmentQuery.OutputColumns(traits).ToList();
        columns.Insert(1, "segment");
        var context = new EvaluationContext(campaign.AsOf, zone);
        var extension = format switch { AudienceFormat.Json => ".json", AudienceFormat.Parquet => ".parquet", _ => ".csv" };
        var files = new List<AudienceFile>();
        foreach (var arm in campaign.Definition.TreatedArms)
        {
            var path = Path.Combine(directory, FileName(arm.Name) + extension);
            files.Add(new AudienceFile(arm.Name, Path.GetFullPath(path), AudienceExport.WriteQuery(warehouse, CampaignSql.ArmAudience(d, context, campaign.Definition.Name, arm.Name, traits), columns, format, path)));
        }

        return files;
    }

    /// <summary>An arm name as a file name: lower case letters and digits, other runs as one underscore.</summary>
    public static string FileName(string arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        var text = new StringBuilder();
        foreach (var c in arm.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                text.Append(c);
            }
            else if (text.Length > 0 && text[^1] != '_')
            {
                text.Append('_');
            }
        }

        return text.ToString().TrimEnd('_') is { Length: > 0 } name ? name : "arm";
    }

    /// <summary>The launched campaign of that name, or null.</summary>
    public static LaunchedCampaign? Find(IWarehouse warehouse, string name) => Launched(warehouse, name) is [var first, ..] ? first : null;

    /// <summary>Every launched campaign (or the one named), newest first.</summary>
    public static IReadOnlyList<LaunchedCampaign> Launched(IWarehouse warehouse, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var result = new List<LaunchedCampaign>();
        warehouse.Read(CampaignSql.Launched(warehouse.Dialect, name), r => result.Add(new LaunchedCampaign(
            CampaignDefinition.Parse($"{r.GetString(0)}.yaml (as launched)", r.GetString(5)) with { Name = r.GetString(0) },
            Utc(r.GetDateTime(2)),
            Utc(r.GetDateTime(3)),
            Utc(r.GetDateTime(1)),
            r.GetInt64(4))));
        return result;
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
