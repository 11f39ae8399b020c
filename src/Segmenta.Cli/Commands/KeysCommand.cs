using System.ComponentModel;
using Segmenta.Access;
using Segmenta.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class KeysCreateSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<NAME>")]
    [Description("What the key is for (dashboard, website-tracking, …).")]
    public string Name { get; init; } = "";

    [CommandOption("--scopes <LIST>")]
    [Description("Comma-separated: ingest (send events), read (read everything), admin (change things; includes read and ingest). Default: read.")]
    public string Scopes { get; init; } = ApiScopes.Read;
}

internal sealed class KeysRevokeSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<KEY>")]
    [Description("The key's id or name.")]
    public string Key { get; init; } = "";
}

/// <summary><c>segmenta keys create</c>: a new API key; its token is printed once and only its hash is stored.</summary>
internal sealed class KeysCreateCommand : GuardedCommand<KeysCreateSettings>
{
    protected override int Run(KeysCreateSettings settings, CancellationToken cancellation)
    {
        var store = ApiKeyStore.For(FindWorkspace(settings));
        var scopes = settings.Scopes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var created = store.Create(settings.Name, scopes, TimeProvider.System);
        if (settings.Json)
        {
            CliOutput.WriteJson(WorkspaceDocuments.Created(created));
            return ExitCodes.Ok;
        }

        Console.WriteLine($"Created key {created.Key.Id} `{created.Key.Name}` with scopes {string.Join(", ", created.Key.Scopes)}.");
        Console.WriteLine("Its token (shown only now; Segmenta keeps only a hash):");
        Console.WriteLine();
        Console.WriteLine("  " + created.Token);
        Console.WriteLine();
        Console.WriteLine("Send it as `Authorization: Bearer TOKEN`, or as the write key (basic auth user name) of a Segment library.");
        return ExitCodes.Ok;
    }
}

/// <summary><c>segmenta keys list</c>: every key with its scopes and state, never a secret.</summary>
internal sealed class KeysListCommand : GuardedCommand<WorkspaceSettingsBase>
{
    protected override int Run(WorkspaceSettingsBase settings, CancellationToken cancellation)
    {
        var keys = ApiKeyStore.For(FindWorkspace(settings)).List();
        if (settings.Json)
        {
            CliOutput.WriteJson(keys.Select(WorkspaceDocuments.Key).ToList());
            return ExitCodes.Ok;
        }

        if (keys.Count == 0)
        {
            Console.WriteLine("No API keys yet: `segmenta keys create NAME --scopes read,admin`.");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "name", "scopes", "created", "state");
        foreach (var k in keys)
        {
            table.AddRow(k.Id, Markup.Escape(k.Name), string.Join(", ", k.Scopes), DocumentValues.Iso(k.CreatedAt), k.RevokedAt is { } r ? "revoked " + DocumentValues.Iso(r) : "active");
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>segmenta keys revoke</c>: the key stops working at once (a running server re-reads the keys file).</summary>
internal sealed class KeysRevokeCommand : GuardedCommand<KeysRevokeSettings>
{
    protected override int Run(KeysRevokeSettings settings, CancellationToken cancellation)
    {
        var revoked = ApiKeyStore.For(FindWorkspace(settings)).Revoke(settings.Key, TimeProvider.System);
        if (!revoked)
        {
            throw new UserInputException($"no active key with id or name `{settings.Key}`; `segmenta keys list` shows them");
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(new RevokedKeyDocument(settings.Key));
        }
        else
        {
            Console.WriteLine($"Revoked `{settings.Key}`.");
        }

        return ExitCodes.Ok;
    }
}
