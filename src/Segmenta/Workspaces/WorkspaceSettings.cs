using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Model;
using Segmenta.Refresh;
using Segmenta.Rfm;

namespace Segmenta.Workspaces;

/// <summary>Where a workspace keeps its data.</summary>
/// <param name="Backend">"duckdb" (embedded, the default) or "postgres".</param>
/// <param name="Path">The DuckDB file, relative to the workspace root.</param>
/// <param name="ConnectionString">The PostgreSQL connection string, for the postgres backend (never with a password).</param>
/// <param name="Shards">Worker connection strings of a sharded PostgreSQL warehouse (empty: a single node).</param>
/// <param name="MemoryLimit">
/// The DuckDB warehouse's memory for queries (<c>6GB</c>, <c>512MiB</c>): beyond it DuckDB spills to disk beside the file
/// instead of growing. Null: DuckDB's default, 80% of the machine's memory (docs/scaling.md).
/// </param>
public sealed record WarehouseSettings(string Backend = "duckdb", string Path = "segmenta.duckdb", string? ConnectionString = null, IReadOnlyList<string>? Shards = null, string? MemoryLimit = null)
{
    /// <summary>What <c>memory_limit</c> accepts: a number and a unit DuckDB reads the same way.</summary>
    private static readonly System.Text.RegularExpressions.Regex MemorySize = new(
        @"^[0-9]{1,6}(\.[0-9]{1,3})? ?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase,
        TimeSpan.FromSeconds(1));

    /// <summary>Whether <paramref name="text"/> is a memory size <c>memory_limit</c> accepts (<c>6GB</c>, <c>512 MiB</c>).</summary>
    public static bool IsMemorySize(string text) => MemorySize.IsMatch(text ?? "");

    /// <summary>The workers, never null.</summary>
    public IReadOnlyList<string> ShardList => Shards ?? [];

    /// <summary>
    /// Why a connection string cannot be kept in <c>segmenta.yaml</c> (it carries a password), or null.
    /// Passwords come from <c>PGPASSWORD</c> or <c>~/.pgpass</c>, never from the settings file.
    /// </summary>
    public static string? RejectPassword(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var hasPassword = connectionString.Split(';')
            .Select(part => part.Split('=', 2)[0].Trim())
            .Any(key => key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase));
        return hasPassword
            ? "the connection string must not contain a password (it would be written to segmenta.yaml); set PGPASSWORD or use ~/.pgpass instead"
            : null;
    }
}

/// <summary>The contents of a workspace's <c>segmenta.yaml</c>.</summary>
public sealed record WorkspaceSettings
{
    /// <summary>The settings file's name.</summary>
    public const string FileName = "segmenta.yaml";

    /// <summary>A name for people.</summary>
    public string Name { get; init; } = "segmenta";

    /// <summary>The warehouse connection.</summary>
    public WarehouseSettings Warehouse { get; init; } = new();

    /// <summary>IANA time zone for calendar days and for source timestamps that carry no offset.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>ISO 4217 currency of revenue and income.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>The default as-of instant of evaluations: null means "now, taken once at the start of the command".</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>
    /// The as-of policy of every host: <paramref name="asOf"/> when given (a date, its start in the workspace's zone, or
    /// an ISO 8601 time), else the workspace's <see cref="AsOf"/>, else now from <paramref name="time"/>; to whole
    /// seconds. A text that is no instant is a <see cref="BadArgumentException"/> naming <paramref name="parameter"/>.
    /// </summary>
    public Language.EvaluationContext Context(string? asOf, string parameter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new Language.EvaluationContext(
            asOf is null ? Language.EvaluationContext.WholeSeconds(AsOf?.UtcDateTime ?? time.GetUtcNow().UtcDateTime) : Instant(parameter, asOf),
            Zone);
    }

    /// <summary>An instant argument: a date (its start in the workspace's zone) or an ISO 8601 time, to whole seconds.</summary>
    public DateTime Instant(string parameter, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Language.EvaluationContext.TryParseInstant(text, Zone, out var instant) is { } problem
            ? throw new BadArgumentException($"{parameter}: {problem}; give a date (2025-01-01) or an ISO 8601 time (2025-01-01T09:00:00Z)")
            : Language.EvaluationContext.WholeSeconds(instant);
    }

    /// <summary>Event types this workspace accepts besides <see cref="CanonicalModel.StandardEventTypes"/>.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    /// <summary>How RFM is scored and named (the <c>rfm:</c> section).</summary>
    public RfmOptions Rfm { get; init; } = RfmOptions.Default;

    /// <summary>How <c>segmenta refresh</c> values CLV and when it raises drift alerts.</summary>
    public RefreshOptions Refresh { get; init; } = RefreshOptions.Default;

    /// <summary>How <c>segmenta serve</c> listens, limits and refreshes.</summary>
    public ServerOptions Server { get; init; } = ServerOptions.Default;

    /// <summary>Every event type accepted by ingestion.</summary>
    public IReadOnlyList<string> AllEventTypes => [.. CanonicalModel.StandardEventTypes, .. EventTypes.Except(CanonicalModel.StandardEventTypes, StringComparer.Ordinal)];

    /// <summary>The resolved time zone.</summary>
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>Reads and validates settings text; mistakes come back with line and column.</summary>
    public static WorkspaceSettings Parse(string file, string text)
    {
        var root = YamlSection.Load(file, text);
        root.RejectUnknownKeys("name", "warehouse", "timezone", "currency", "as_of", "event_types", "rfm", "refresh", "server");
        var settings = new WorkspaceSettings();
        var warehouse = new WarehouseSettings();
        if (root.GetSection("warehouse") is { } w)
        {
            w.RejectUnknownKeys("backend", "path", "connection_string", "shards", "memory_limit");
            var backend = w.GetString("backend") ?? "duckdb";
            if (backend is not ("duckdb" or "postgres"))
            {
                throw w.ErrorAt("backend", $"unknown warehouse backend `{backend}`; expected duckdb or postgres");
            }

            var connection = w.GetString("connection_string");
            var shards = w.GetStringList("shards");
            if (backend == "postgres" && connection is null)
            {
                throw w.ErrorAt("backend", "the postgres backend needs `connection_string`, for example \"Host=db;Database=segmenta;Username=segmenta\"");
            }

            foreach (var (key, value) in shards.Select(s => ("shards", s)).Prepend(("connection_string", connection ?? "")))
            {
                if (WarehouseSettings.RejectPassword(value) is { } why)
                {
                    throw w.ErrorAt(key, why);
                }
            }

            if (shards.Count > 0 && backend != "postgres")
            {
                throw w.ErrorAt("shards", "`shards` needs the postgres backend");
            }

            var memory = w.GetString("memory_limit");
            if (memory is not null && backend != "duckdb")
            {
                throw w.ErrorAt("memory_limit", "`memory_limit` is the DuckDB warehouse's; a PostgreSQL server's memory is its own configuration (shared_buffers, work_mem)");
            }

            if (memory is not null && !WarehouseSettings.IsMemorySize(memory))
            {
                throw w.ErrorAt("memory_limit", $"`{memory}` is not a memory size; expected a number and a unit, for example 6GB or 512MiB");
            }

            warehouse = new WarehouseSettings(backend, w.GetString("path") ?? warehouse.Path, connection, shards, memory);
        }

        var zone = root.GetString("timezone") ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw root.ErrorAt("timezone", $"unknown time zone `{zone}`; expected an IANA name such as Europe/London or UTC");
        }

        DateTimeOffset? asOf = null;
        var asOfText = root.GetString("as_of");
        if (asOfText is not null && asOfText != "now")
        {
            if (!DateTimeOffset.TryParse(asOfText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                throw root.ErrorAt("as_of", $"`as_of` must be `now` or an ISO 8601 instant such as 2025-01-01T00:00:00Z, not `{asOfText}`");
            }

            asOf = parsed;
        }

        var eventTypes = root.GetStringList("event_types");
        foreach (var type in eventTypes)
        {
            if (!CanonicalModel.IsValidFieldName(type))
            {
                throw root.ErrorAt("event_types", $"event type `{type}` must be lower snake case");
            }
        }

        return settings with
        {
            Name = root.GetString("name") ?? settings.Name,
            Warehouse = warehouse,
            TimeZone = zone,
            Currency = root.GetString("currency") ?? settings.Currency,
            AsOf = asOf,
            EventTypes = eventTypes,
            Rfm = root.GetSection("rfm") is { } rfm ? RfmOptions.Parse(rfm) : RfmOptions.Default,
            Refresh = root.GetSection("refresh") is { } refresh ? RefreshOptions.Parse(refresh) : RefreshOptions.Default,
            Server = root.GetSection("server") is { } server ? ServerOptions.Parse(server) : ServerOptions.Default,
        };
    }

    /// <summary>Writes the settings as commented YAML, the same every time for the same settings.</summary>
    public string ToYaml()
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "# Segmenta workspace settings. Every `segmenta` command run in this folder (or below it) uses them.",
            $"name: {Name}",
            "warehouse:",
            $"  backend: {Warehouse.Backend}        # duckdb (embedded file) or postgres",
            $"  path: {Warehouse.Path}",
        };
        if (Warehouse.ConnectionString is not null)
        {
            lines.Add($"  connection_string: {YamlString(Warehouse.ConnectionString)}   # the password comes from PGPASSWORD or ~/.pgpass");
        }

        if (Warehouse.MemoryLimit is not null)
        {
            lines.Add($"  memory_limit: {Warehouse.MemoryLimit}   # DuckDB's memory for queries; beyond it, it spills to disk");
        }

        if (Warehouse.ShardList.Count > 0)
        {
            lines.Add("  shards:                     # workers holding customers and events, partitioned by customer");
            lines.AddRange(Warehouse.ShardList.Select(s => "    - " + YamlString(s)));
        }

        lines.Add($"timezone: {TimeZone}          # calendar days, and source timestamps without an offset");
        lines.Add($"currency: {Currency}");
        lines.Add("as_of: " + (AsOf is { } a ? a.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv) : "now") + "            # default as-of instant: now, or a fixed ISO 8601 instant");
        lines.Add("event_types: [" + string.Join(", ", EventTypes) + "]   # accepted besides the standard ones");
        lines.Add("rfm:                         # RFM scoring (docs/rfm.md); `segments:` replaces the standard score map");
        lines.Add($"  bins: {Rfm.Bins.ToString(inv)}");
        lines.Add($"  method: {RfmOptions.MethodName(Rfm.Method)}            # quantiles or ranks: equal values always get equal scores");
        if (!ReferenceEquals(Rfm.Map, RfmScoreMap.Standard))
        {
            lines.Add($"  scale: {Rfm.Map.Scale.ToString(inv)}");
            lines.Add($"  other: {YamlString(Rfm.Map.Fallback)}");
            lines.Add("  segments:");
            foreach (var group in Rfm.Map.Rules.GroupBy(r => r.Segment, StringComparer.Ordinal))
            {
                lines.Add($"    {YamlString(group.Key)}: [{string.Join(", ", group.Select(r => YamlString(r.ToString())))}]");
            }
        }

        lines.AddRange(Refresh.ToYaml());
        lines.AddRange(Server.ToYaml());
        return string.Join('\n', lines) + "\n";
    }

    private static string YamlString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
