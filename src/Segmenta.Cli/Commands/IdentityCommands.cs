using System.ComponentModel;
using Segmenta.Identity;
using Segmenta.Model;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class IdentityShowSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<CUSTOMER>")]
    [Description("A customer id (a user id, or anon:… for an anonymous visitor).")]
    public string CustomerId { get; init; } = "";

    [CommandOption("--as-of <INSTANT>")]
    [Description("State consent as of this instant (default: the workspace's as_of, else now).")]
    public string? AsOf { get; init; }
}

/// <summary><c>segmenta identity show</c>: a profile's identifiers, the links that made it and its history of changes.</summary>
internal sealed class IdentityShowCommand : GuardedCommand<IdentityShowSettings>
{
    protected override int Run(IdentityShowSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var profile = IdentityProfile.Read(warehouse, settings.CustomerId, SegmentSupport.Context(workspace, settings.AsOf).AsOf);
        if (!profile.Exists)
        {
            throw new IdentityNotFoundException($"no customer, event or identity link has the id `{settings.CustomerId}`");
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(profile);
            return ExitCodes.Ok;
        }

        Console.WriteLine($"{profile.CustomerId}{(profile.Anonymous ? " (anonymous)" : "")}: {profile.Events:N0} events");
        Console.WriteLine("identifiers: " + string.Join(", ", profile.Identifiers.Select(i => $"{i.Kind}:{i.Id}")));
        if (profile.Links.Count > 0)
        {
            var links = new Table().Border(TableBorder.Simple).AddColumns("link", "seen", "run", "outcome", "why");
            foreach (var l in profile.Links)
            {
                links.AddRow(Markup.Escape($"{l.A} ~ {l.B}"), l.SeenAt ?? "-", l.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Outcome, Markup.Escape(l.Reason ?? ""));
            }

            AnsiConsole.Write(links);
        }

        foreach (var c in profile.Changes)
        {
            Console.WriteLine($"  #{c.ChangeId} {c.ChangedAt} {c.Identifier}: {c.FromCustomerId} -> {c.ToCustomerId} ({c.Reason})");
        }

        if (profile.Consent.Count > 0)
        {
            Console.WriteLine($"consent as of {profile.AsOf}: " + string.Join("; ", profile.Consent.Select(c =>
                $"{c.Channel} {(c.Consented ? "yes" : "no")} ({c.DecidedBy}{(c.DecidedAt is { } at ? " at " + at : "")})")));
        }

        return ExitCodes.Ok;
    }
}

internal sealed class IdentityUndoSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<IDENTIFIER>")]
    [Description("One end of the link: user_id:ID or anonymous_id:ID.")]
    public string First { get; init; } = "";

    [CommandArgument(1, "<OTHER>")]
    [Description("The other end.")]
    public string Second { get; init; } = "";

    [CommandOption("--reason <TEXT>")]
    [Description("Why the link is wrong (recorded with the change).")]
    public string Reason { get; init; } = "undone by hand";
}

/// <summary><c>segmenta identity undo</c>: undoes a wrong link; the profiles are resolved without it and events move back.</summary>
internal sealed class IdentityUndoCommand : GuardedCommand<IdentityUndoSettings>
{
    protected override int Run(IdentityUndoSettings settings, CancellationToken cancellation)
    {
        var a = Parse(settings.First);
        var b = Parse(settings.Second);
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        IdentityPassResult result;
        using (var tx = warehouse.BeginTransaction())
        {
            result = IdentityStore.Undo(tx, a, b, settings.Reason, DateTime.UtcNow, warehouse.Columns(TableKind.Customers))
                ?? throw new IdentityNotFoundException($"no link between {a} and {b} is stored; `segmenta identity show` lists a profile's links");
            tx.Commit();
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(new IdentityUndoDocument(a.ToString(), b.ToString(), result.Changed, result.Reattributed, result.Absorbed));
            return ExitCodes.Ok;
        }

        Console.WriteLine($"undid {a} ~ {b}: {result.Changed:N0} identifiers changed profile, {result.Reattributed:N0} events moved");
        return ExitCodes.Ok;
    }

    private static Identifier Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? Identifier.ParseKind(text[..colon]) : null;
        if (kind is null || colon == text.Length - 1)
        {
            throw new UserInputException($"`{text}` is not an identifier; write user_id:ID or anonymous_id:ID");
        }

        return new Identifier(kind.Value, text[(colon + 1)..]);
    }
}

/// <summary>What an undo changed (<c>identity undo --json</c>).</summary>
internal sealed record IdentityUndoDocument(string A, string B, int Changed, long EventsMoved, long ProfilesRemoved);

/// <summary>No such customer or link.</summary>
internal sealed class IdentityNotFoundException(string message) : SegmentaException(message, FailureKind.NotFound);
