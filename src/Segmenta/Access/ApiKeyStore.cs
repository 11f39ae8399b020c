using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Segmenta.Configuration;
using Segmenta.Language;

namespace Segmenta.Access;

/// <summary>What a key may do. <c>admin</c> includes <c>read</c> and <c>ingest</c>.</summary>
public static class ApiScopes
{
    /// <summary>Send events and profiles to the collection endpoints (a write key).</summary>
    public const string Ingest = "ingest";

    /// <summary>Read everything: segments, previews, analyses, campaigns, history.</summary>
    public const string Read = "read";

    /// <summary>Change things: write segments, run analyses and refreshes, launch campaigns.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, in the order they are listed.</summary>
    public static IReadOnlyList<string> All { get; } = [Ingest, Read, Admin];

    /// <summary>True when a key with <paramref name="granted"/> may act with <paramref name="needed"/>.</summary>
    public static bool Allows(IReadOnlyList<string> granted, string needed)
    {
        ArgumentNullException.ThrowIfNull(granted);
        return granted.Contains(needed, StringComparer.Ordinal) || granted.Contains(Admin, StringComparer.Ordinal);
    }
}

/// <summary>A stored API key: never the secret, only its SHA-256.</summary>
/// <param name="Id">The public part of the key (it starts the token, so a lookup needs no scan).</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Scopes">What it may do.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="RevokedAt">When it was revoked, or null while it works.</param>
/// <param name="Hash">Hex SHA-256 of the whole token.</param>
public sealed record ApiKey(string Id, string Name, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? RevokedAt, string Hash)
{
    /// <summary>True until revoked.</summary>
    [JsonIgnore]
    public bool Active => RevokedAt is null;
}

/// <summary>A key just created, with the token shown once.</summary>
public sealed record CreatedKey(ApiKey Key, string Token);

/// <summary>
/// The workspace's API keys, in <c>api-keys.json</c> beside <c>segmenta.yaml</c> (readable by its owner
/// only). Keys live in a file, not in the warehouse, so <c>segmenta keys</c> works while a server
/// holds the embedded DuckDB file open; the server notices a changed file on the next request.
/// Tokens are <c>sgk_ID_SECRET</c> with 256 random bits of secret; only a hash is stored, and a
/// token is checked by recomputing it (constant-time comparison).
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>The file's name in the workspace.</summary>
    public const string FileName = "api-keys.json";

    private const string Prefix = "sgk_";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private readonly Lock gate = new();
    private (DateTime Stamp, long Length, Dictionary<string, ApiKey> ById)? cache;

    /// <summary>A store over a file (created on the first key).</summary>
    public ApiKeyStore(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The keys file.</summary>
    public string Path { get; }

    /// <summary>The workspace's store.</summary>
    public static ApiKeyStore For(Workspaces.Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return new ApiKeyStore(System.IO.Path.Combine(workspace.Root, FileName));
    }

    /// <summary>Every key, oldest first, revoked ones included.</summary>
    public IReadOnlyList<ApiKey> List() => Snapshot().Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();

    /// <summary>Creates a key; the returned token is the only time the secret is seen.</summary>
    public CreatedKey Create(string name, IReadOnlyList<string> scopes, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(time);
        if (scopes.Count == 0)
        {
            throw new ApiKeyException("a key needs at least one scope: " + string.Join(", ", ApiScopes.All));
        }

        foreach (var scope in scopes)
        {
            if (!ApiScopes.All.Contains(scope, StringComparer.Ordinal))
            {
                throw new ApiKeyException($"unknown scope `{scope}`{Suggestions.DidYouMean(scope, ApiScopes.All)}; scopes: {string.Join(", ", ApiScopes.All)}");
            }
        }

        lock (gate)
        {
            var keys = Snapshot(force: true);
            if (keys.Values.Any(k => k.Active && k.Name == name))
            {
                throw new ApiKeyException($"an active key is already named `{name}`; revoke it first or pick another name");
            }

            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            var token = Prefix + id + "_" + Base64Url(RandomNumberGenerator.GetBytes(32));
            var key = new ApiKey(id, name, ApiScopes.All.Where(scopes.Contains).ToList(), EvaluationContext.WholeSeconds(time.GetUtcNow().UtcDateTime), null, HashOf(token));
            keys[id] = key;
            Save(keys.Values);
            return new CreatedKey(key, token);
        }
    }

    /// <summary>Revokes a key by id or name; false when no active key matches.</summary>
    public bool Revoke(string idOrName, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(idOrName);
        ArgumentNullException.ThrowIfNull(time);
        lock (gate)
        {
            var keys = Snapshot(force: true);
            var match = keys.Values.FirstOrDefault(k => k.Active && (k.Id == idOrName || k.Name == idOrName));
            if (match is null)
            {
                return false;
            }

            keys[match.Id] = match with { RevokedAt = EvaluationContext.WholeSeconds(time.GetUtcNow().UtcDateTime) };
            Save(keys.Values);
            return true;
        }
    }

    /// <summary>The active key a token belongs to, or null (unknown, revoked or malformed).</summary>
    public ApiKey? Verify(string? token)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return null;
        }

        var end = token.IndexOf('_', Prefix.Length);
        if (end < 0)
        {
            return null;
        }

        var id = token[Prefix.Length..end];
        if (!Snapshot().TryGetValue(id, out var key) || !key.Active)
        {
            return null;
        }

        var expected = Convert.FromHexString(key.Hash);
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? key : null;
    }

    private static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The keys by id, re-read when the file changed since the last look.</summary>
    private Dictionary<string, ApiKey> Snapshot(bool force = false)
    {
        var info = new FileInfo(Path);
        var stamp = info.Exists ? info.LastWriteTimeUtc : DateTime.MinValue;
        var length = info.Exists ? info.Length : -1;
        lock (gate)
        {
            if (!force && cache is { } c && c.Stamp == stamp && c.Length == length)
            {
                return c.ById;
            }

            var keys = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
            if (info.Exists)
            {
                try
                {
                    var file = JsonSerializer.Deserialize<KeysFile>(File.ReadAllText(Path), Json);
                    foreach (var key in file?.Keys ?? [])
                    {
                        keys[key.Id] = key;
                    }
                }
                catch (JsonException e)
                {
                    throw new ApiKeyException($"{Path}: not a keys file ({e.Message})");
                }
            }

            cache = (stamp, length, keys);
            return force ? new Dictionary<string, ApiKey>(keys, StringComparer.Ordinal) : keys;
        }
    }

    private void Save(IEnumerable<ApiKey> keys)
    {
        var ordered = keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();
        Workspaces.AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(new KeysFile(ordered), Json) + "\n", ownerOnly: true);
        cache = null;
    }

    private sealed record KeysFile(IReadOnlyList<ApiKey> Keys);
}

/// <summary>A mistake managing keys: an unknown scope, a name in use, an unreadable keys file.</summary>
public sealed class ApiKeyException(string message) : SegmentaException(message, FailureKind.BadInput);
