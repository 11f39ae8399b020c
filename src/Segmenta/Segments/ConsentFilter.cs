using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>Customers a consent check left out: those of <paramref name="Segment"/> who had not consented to <paramref name="Channel"/>.</summary>
/// <param name="Segment">The segment (a campaign's stratum, or the exported segment).</param>
/// <param name="Channel">The first channel they lacked consent to.</param>
/// <param name="Customers">How many.</param>
public sealed record ConsentLeftOut(string Segment, string Channel, long Customers);

/// <summary>
/// What a consent check did where data leaves (an export, a campaign's audience): whether it ran, and if not why (the
/// user's explicit override, or arms recorded by an experiment run elsewhere), and who it left out.
/// </summary>
/// <param name="Checked">Whether only consenting customers were kept.</param>
/// <param name="NotCheckedBecause">Why not, when not.</param>
/// <param name="LeftOut">Who was left out, per segment and channel, in order.</param>
public sealed record ConsentCheck(bool Checked, string? NotCheckedBecause, IReadOnlyList<ConsentLeftOut> LeftOut)
{
    /// <summary>All customers left out.</summary>
    public long TotalLeftOut => LeftOut.Sum(l => l.Customers);

    /// <summary>A check the user (or the data's nature) turned off, with why.</summary>
    public static ConsentCheck NotChecked(string because) => new(false, because, []);
}

/// <summary>Whom an audience is for: the channel whose consent each member needs, or why the check is explicitly skipped.</summary>
/// <param name="Channel">The channel; null when skipped.</param>
/// <param name="SkippedBecause">Why the user skipped it (their override, in their words or the host's).</param>
public sealed record ConsentRequest(string? Channel, string? SkippedBecause)
{
    /// <summary>Only members who consented to the channel.</summary>
    public static ConsentRequest For(string channel) => new(channel, null);

    /// <summary>Every member, by the user's explicit choice.</summary>
    public static ConsentRequest Skipped(string because) => new(null, because);

    /// <summary>
    /// What a user's options ask for: exactly one of a channel or the explicit override, else a <see cref="ConsentException"/>
    /// naming the options as the host spells them (<paramref name="channelExample"/>: <c>--channel email</c>).
    /// </summary>
    public static ConsentRequest Of(string? channel, bool ignore, string channelExample, string ignoreOption) => (channel, ignore) switch
    {
        (null, false) => throw new ConsentException($"say which channel the audience is for ({channelExample}), so only members who consented to it leave; or {ignoreOption} to export every member"),
        ({ }, true) => throw new ConsentException($"a channel and {ignoreOption} exclude each other"),
        ({ } c, false) => For(c),
        _ => Skipped(ignoreOption),
    };
}

/// <summary>A consent channel the workspace does not know, or a check that cannot run.</summary>
public sealed class ConsentException(string message) : SegmentaException(message, FailureKind.BadInput);

/// <summary>
/// Consent where data leaves (docs/identity.md, "Consent"): the customers who consented to a channel at an instant, by the
/// language's own <c>consented CHANNEL</c> condition, so an export or an audience keeps exactly whom a segment using that
/// condition would hold.
/// </summary>
public static class ConsentFilter
{
    /// <summary>The channel as the workspace knows it (lower case), or a <see cref="ConsentException"/> listing those it knows.</summary>
    public static string Channel(SegmentSchema schema, string channel)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(channel);
        var known = Consent.Channels(schema.CustomerFields);
        var name = channel.Trim().ToLowerInvariant();
        return known.Contains(name)
            ? name
            : throw new ConsentException($"unknown consent channel `{channel}`{Configuration.Suggestions.DidYouMean(name, known)} (channels: {string.Join(", ", known)}; a boolean trait `X_opt_in` adds channel X)");
    }

    /// <summary>
    /// <c>consented CHANNEL</c>, or <c>in segment SEGMENT and consented CHANNEL</c>, compiled against the schema, beside the
    /// workspace's <paramref name="segments"/> (needed for <paramref name="segment"/>).
    /// </summary>
    public static SegmentDefinition Condition(SegmentSchema schema, SegmentCompilation? segments, string channel, string? segment = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var text = (segment is null ? "" : $"in segment {segment} and ") + Consent.Condition(Channel(schema, channel));
        return SegmentCompiler.TryCompileCondition(text, schema, segments, out var definition, out var diagnostics, segment ?? "consent")
            ? definition!
            : throw new ConsentException($"`{text}` does not compile: {string.Join("; ", diagnostics.Select(d => d.Message))}");
    }

    /// <summary>The customers who consented to <paramref name="channel"/> at the context's as-of instant.</summary>
    public static HashSet<string> Consenting(IWarehouse warehouse, SegmentSchema schema, string channel, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        var members = new HashSet<string>(StringComparer.Ordinal);
        warehouse.Read(Condition(schema, null, channel).Query(warehouse.Dialect, context).Members(), r => members.Add(r.GetString(0)));
        return members;
    }

    /// <summary>How many members a segment has at the context's instant.</summary>
    public static long Count(IWarehouse warehouse, SegmentDefinition segment, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segment);
        var sql = new SqlBuilder(warehouse.Dialect);
        sql.Append("SELECT count(*) FROM (");
        segment.Query(warehouse.Dialect, context).WriteMembers(sql);
        sql.Append(") m");
        long count = 0;
        warehouse.Read(sql.Build(), r => count = Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return count;
    }
}
