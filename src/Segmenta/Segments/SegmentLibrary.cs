using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Rfm;
using Segmenta.Sql;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Segments;

/// <summary>
/// A workspace's segments as code: every <c>segments/*.seg</c> file, compiled together against the
/// warehouse's schema (so <c>in segment</c> works across files).
/// </summary>
public sealed class SegmentLibrary
{
    /// <summary>The extension of segment files.</summary>
    public const string Extension = ".seg";

    private readonly SegmentSchema warehouseSchema;

    private SegmentLibrary(string root, SegmentSchema schema, IReadOnlyList<SegmentSource> sources, SegmentCompilation compilation)
    {
        Root = root;
        warehouseSchema = schema;
        Sources = sources;
        Compilation = compilation;
    }

    /// <summary>The workspace folder; segment files inside it are named relative to it.</summary>
    public string Root { get; }

    /// <summary>The schema the segments were checked against: the warehouse's, with the files' computed traits.</summary>
    public SegmentSchema Schema => Compilation.Schema ?? warehouseSchema;

    /// <summary>The files read, in name order.</summary>
    public IReadOnlyList<SegmentSource> Sources { get; }

    /// <summary>Segments and diagnostics.</summary>
    public SegmentCompilation Compilation { get; }

    /// <summary>
    /// The schema of a workspace: the warehouse's columns, the workspace's event types, the computed
    /// fields every workspace has (<c>features.*</c>, <c>rfm.*</c> with the workspace's RFM options),
    /// <c>cluster</c> once a cluster model is stored, <c>clv</c> once a CLV model is, <c>uplift.CAMPAIGN</c> per campaign with an uplift model, and
    /// any further <paramref name="derived"/> sets (which replace a built-in set of the same namespace).
    /// </summary>
    public static SegmentSchema SchemaOf(IWarehouse warehouse, WorkspaceSettings settings, IEnumerable<DerivedFieldSet>? derived = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(settings);
        var extra = (derived ?? []).ToList();
        List<DerivedFieldSet> builtIn = [FeatureCatalog.FieldSet, RfmAnalysis.FieldSet(settings.Rfm)];
        if (ClusterAnalysis.Active(warehouse) is { } model)
        {
            builtIn.Add(ClusterAnalysis.FieldSet(model));
        }

        if (ClvAnalysis.Exists(warehouse))
        {
            builtIn.Add(ClvAnalysis.FieldSet);
        }

        builtIn.AddRange(Uplift.UpliftAnalysis.Active(warehouse).Select(m => m.FieldSet()));

        return new SegmentSchema(
            warehouse.Columns(TableKind.Customers),
            warehouse.Columns(TableKind.Events),
            settings.AllEventTypes,
            [.. builtIn.Where(b => !extra.Any(e => e.Namespace == b.Namespace)), .. extra]);
    }

    /// <summary>Reads and compiles every segment file of the workspace, plus any <paramref name="extraFiles"/> outside it.</summary>
    public static SegmentLibrary Load(Workspace workspace, SegmentSchema schema, IEnumerable<string>? extraFiles = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var folder = Path.Combine(workspace.Root, Workspace.SegmentsFolder);
        var files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*" + Extension, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (var extra in extraFiles ?? [])
        {
            var full = Path.GetFullPath(extra);
            if (!files.Contains(full, StringComparer.Ordinal))
            {
                files.Add(full);
            }
        }

        var sources = files.Select(f => new SegmentSource(NameOf(workspace.Root, f), File.ReadAllText(f))).ToList();
        // Segments an analysis generates (the named RFM segments, the clusters) are segments like any
        // other: previewed, materialized, exported, referenced.
        sources.AddRange(schema.DerivedSets.Select(d => d.Segments).OfType<SegmentSource>());

        return new SegmentLibrary(workspace.Root, schema, sources, SegmentCompiler.Compile(sources, schema));
    }

    /// <summary>A file's name in diagnostics: relative inside the workspace, full outside it.</summary>
    private static string NameOf(string root, string file)
    {
        var relative = Path.GetRelativePath(root, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }

    /// <summary>
    /// The library with <paramref name="draft"/> in place of the source of the same file (added when there
    /// is none): how an editor checks and previews text against the other segments before saving it.
    /// </summary>
    public SegmentLibrary With(SegmentSource draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var sources = Sources.Any(s => s.File == draft.File)
            ? Sources.Select(s => s.File == draft.File ? draft : s).ToList()
            : [.. Sources, draft];
        return new SegmentLibrary(Root, warehouseSchema, sources, SegmentCompiler.Compile(sources, warehouseSchema));
    }

    /// <summary>The segments defined in a file, given as typed (relative to the current folder).</summary>
    public IReadOnlyList<SegmentDefinition> InFile(string path)
    {
        var full = Path.GetFullPath(path);
        return Compilation.Segments.Where(s => s.File is { } f && Path.GetFullPath(f, Root) == full).ToList();
    }

    /// <summary>
    /// The compiled segment of that name. A name that appears in a file with errors is a
    /// <see cref="SegmentErrorsException"/>; any other unknown name an <see cref="UnknownSegmentException"/> with a
    /// suggestion. Hosts add their own remedy (the CLI's <c>segment check</c>, the API's check endpoint).
    /// </summary>
    public SegmentDefinition Require(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Compilation.Find(name) is { } segment)
        {
            return segment;
        }

        if (Compilation.Diagnostics.Count > 0 && Sources.Any(s => s.Text.Contains("segment " + name, StringComparison.Ordinal)))
        {
            throw new SegmentErrorsException($"segment `{name}` has errors");
        }

        var names = Compilation.Segments.Select(s => s.Name).ToList();
        throw new UnknownSegmentException($"unknown segment `{name}`{Configuration.Suggestions.DidYouMean(name, names)}{(names.Count == 0 ? " (the workspace has no segments yet: write one in segments/*.seg)" : "")}");
    }

    /// <summary>Whether <paramref name="file"/> names segments an analysis generated rather than a file of the workspace.</summary>
    public bool IsGenerated(string? file) => Schema.DerivedSets.Any(d => d.Segments is { } s && s.File == file);

    /// <summary>The segments an analysis generated whose names start with <paramref name="prefix"/> (the RFM map's, the clusters'), in their order.</summary>
    public IReadOnlyList<string> Generated(string prefix) =>
        Compilation.Segments.Where(s => IsGenerated(s.File) && s.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(s => s.Name).ToList();

    /// <summary>The text of the file a diagnostic points into.</summary>
    public string? TextOf(string? file) => Sources.FirstOrDefault(s => s.File == file)?.Text;

    /// <summary>
    /// Segments testing a customer trait that no customer has a value for: it compiles (the column exists) and
    /// silently matches nobody — typically a trait left on the events (a country per invoice line) instead of
    /// mapped onto the customers (docs/ingestion.md, "Customers from an event file").
    /// </summary>
    public static IReadOnlyList<(SegmentDefinition Segment, string Trait, string Message)> EmptyTraits(IWarehouse warehouse, IReadOnlyList<SegmentDefinition> segments)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segments);
        var traits = segments.SelectMany(s => s.CustomerTraits).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var empty = new HashSet<string>(StringComparer.Ordinal);
        if (traits.Count > 0)
        {
            warehouse.Read(
                SegmentSql.TraitCounts(warehouse.Dialect, traits),
                r =>
                {
                    for (var i = 0; i < traits.Count; i++)
                    {
                        if (Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) > 0 && Convert.ToInt64(r.GetValue(i + 1), System.Globalization.CultureInfo.InvariantCulture) == 0)
                        {
                            empty.Add(traits[i]);
                        }
                    }
                });
        }

        return [.. segments.SelectMany(s => s.CustomerTraits.Where(empty.Contains).Select(t => (s, t,
            $"segment `{s.Name}` tests `{t}`, which no customer has a value for: the condition matches nobody (is `{t}` mapped onto the customers? see docs/ingestion.md, \"Customers from an event file\")")))];
    }
}

/// <summary>A segment name the workspace does not define; the message suggests the nearest one.</summary>
public sealed class UnknownSegmentException(string message) : SegmentaException(message, FailureKind.NotFound);

/// <summary>A segment whose file does not compile.</summary>
public sealed class SegmentErrorsException(string message) : SegmentaException(message, FailureKind.BadInput);
