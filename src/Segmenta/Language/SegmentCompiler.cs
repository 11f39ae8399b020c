using System.Security.Cryptography;
using System.Text;
using Segmenta.Configuration;
using Segmenta.Sql;

namespace Segmenta.Language;

/// <summary>Segment text and the file it came from.</summary>
/// <param name="File">The file (null for text typed elsewhere, such as the API).</param>
/// <param name="Text">The text.</param>
public sealed record SegmentSource(string? File, string Text);

/// <summary>
/// Compiles segment files: tokenizer → parser → binder, across all files at once, so that
/// <c>in segment</c> references resolve in dependency order and cycles are reported. Never throws
/// for user text: every mistake is a <see cref="Diagnostic"/>.
/// </summary>
public static class SegmentCompiler
{
    /// <summary>Compiles every segment of every source against the schema.</summary>
    public static SegmentCompilation Compile(IReadOnlyList<SegmentSource> sources, SegmentSchema schema)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(schema);
        var diagnostics = new List<Diagnostic>();
        var parsed = new List<(SegmentSyntax Syntax, SegmentSource Source)>();
        foreach (var source in sources)
        {
            var found = new List<Diagnostic>();
            var segments = Parser.ParseFile(source.Text, found);
            diagnostics.AddRange(found.Select(d => d with { File = source.File }));
            parsed.AddRange(segments.Select(s => (s, source)));
        }

        var byName = new Dictionary<string, (SegmentSyntax Syntax, SegmentSource Source)>(StringComparer.Ordinal);
        foreach (var item in parsed)
        {
            if (byName.TryGetValue(item.Syntax.Name, out var first))
            {
                diagnostics.Add(new Diagnostic(
                    DiagnosticCodes.DuplicateSegment,
                    $"a segment named `{item.Syntax.Name}` is already defined at {first.Source.File ?? "<text>"}:{first.Syntax.NameSpan.Line}:{first.Syntax.NameSpan.Column}",
                    item.Syntax.NameSpan,
                    item.Source.File));
                continue;
            }

            byName[item.Syntax.Name] = item;
        }

        var bound = new Dictionary<string, SegmentDefinition?>(StringComparer.Ordinal);
        var inProgress = new List<string>();

        SegmentResolution Resolve(string name)
        {
            if (!byName.ContainsKey(name))
            {
                return new SegmentResolution(null, DiagnosticCodes.UnknownSegment, $"unknown segment `{name}`{Suggestions.DidYouMean(name, byName.Keys)}");
            }

            if (inProgress.Contains(name))
            {
                var cycle = inProgress.Skip(inProgress.IndexOf(name)).Append(name);
                return new SegmentResolution(null, DiagnosticCodes.SegmentCycle, $"segments refer to each other in a circle: {string.Join(" → ", cycle)}");
            }

            var definition = Bind(name);
            return definition is null
                ? new SegmentResolution(null, DiagnosticCodes.UnknownSegment, $"segment `{name}` has errors of its own; fix them first")
                : new SegmentResolution(definition.Condition);
        }

        SegmentDefinition? Bind(string name)
        {
            if (bound.TryGetValue(name, out var done))
            {
                return done;
            }

            var (syntax, source) = byName[name];
            inProgress.Add(name);
            var found = new List<Diagnostic>();
            var condition = new Binder(schema, Resolve, found).Bind(syntax.Condition);
            inProgress.RemoveAt(inProgress.Count - 1);
            diagnostics.AddRange(found.Select(d => d with { File = source.File }));
            var definition = condition is null ? null : SegmentDefinition.Create(syntax, source, condition);
            bound[name] = definition;
            return definition;
        }

        var result = new List<SegmentDefinition>();
        // File order; a repeated name was reported above and only its first definition counts.
        foreach (var (syntax, _) in parsed.Where(p => ReferenceEquals(byName[p.Syntax.Name].Syntax, p.Syntax)))
        {
            if (Bind(syntax.Name) is { } definition)
            {
                result.Add(definition);
            }
        }

        var files = sources.Select(s => s.File).ToList();
        var ordered = diagnostics
            .Distinct()
            .OrderBy(d => files.IndexOf(d.File))
            .ThenBy(d => d.Span.Start)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
        return new SegmentCompilation(result, ordered);
    }

    /// <summary>Compiles one text of segments.</summary>
    public static SegmentCompilation Compile(string text, SegmentSchema schema) => Compile([new SegmentSource(null, text)], schema);

    /// <summary>
    /// Compiles a bare condition (no <c>segment … where</c>) as a segment named <paramref name="name"/>:
    /// the dashboard's live preview and the golden cases. <paramref name="others"/> resolve <c>in segment</c>.
    /// </summary>
    public static bool TryCompileCondition(
        string text,
        SegmentSchema schema,
        SegmentCompilation? others,
        out SegmentDefinition? definition,
        out IReadOnlyList<Diagnostic> diagnostics,
        string name = "preview")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(schema);
        var found = new List<Diagnostic>();
        definition = null;
        var syntax = Parser.ParseCondition(text, found);
        if (syntax is not null)
        {
            SegmentResolution Resolve(string target) => others?.Find(target) is { } d
                ? new SegmentResolution(d.Condition)
                : new SegmentResolution(null, DiagnosticCodes.UnknownSegment, $"unknown segment `{target}`{Suggestions.DidYouMean(target, others?.Segments.Select(s => s.Name) ?? [])}");
            var condition = new Binder(schema, Resolve, found).Bind(syntax);
            if (condition is not null)
            {
                var segment = new SegmentSyntax(name, default, null, null, syntax, new TextSpan(0, text.Length, 1, 1));
                definition = SegmentDefinition.Create(segment, new SegmentSource(null, text), condition);
            }
        }

        diagnostics = found;
        return definition is not null;
    }
}

/// <summary>The outcome of compiling segment files: the segments that compiled, and every diagnostic.</summary>
public sealed class SegmentCompilation
{
    internal SegmentCompilation(IReadOnlyList<SegmentDefinition> segments, IReadOnlyList<Diagnostic> diagnostics)
    {
        Segments = segments;
        Diagnostics = diagnostics;
    }

    /// <summary>Segments without errors, in file order.</summary>
    public IReadOnlyList<SegmentDefinition> Segments { get; }

    /// <summary>Every mistake found, in file and position order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>True when there were no diagnostics.</summary>
    public bool Success => Diagnostics.Count == 0;

    /// <summary>The segment of a name, if it compiled.</summary>
    public SegmentDefinition? Find(string name) => Segments.FirstOrDefault(s => s.Name == name);

    /// <summary>Segments ordered so that each comes after those it refers to.</summary>
    public IReadOnlyList<SegmentDefinition> InDependencyOrder()
    {
        var result = new List<SegmentDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(SegmentDefinition s)
        {
            if (!seen.Add(s.Name))
            {
                return;
            }

            foreach (var dependency in s.DependsOn)
            {
                if (Find(dependency) is { } d)
                {
                    Visit(d);
                }
            }

            result.Add(s);
        }

        foreach (var s in Segments)
        {
            Visit(s);
        }

        return result;
    }
}

/// <summary>One compiled segment: its name, title and description, its text and version, and its bound condition.</summary>
public sealed class SegmentDefinition
{
    private SegmentDefinition(string name, string? title, string? description, string? file, string text, TextSpan span, BoundCondition condition, IReadOnlyList<(string Text, BoundCondition Condition)> steps, IReadOnlyList<string> dependsOn)
    {
        Name = name;
        Title = title;
        Description = description;
        File = file;
        Text = text;
        Span = span;
        Condition = condition;
        Steps = steps;
        DependsOn = dependsOn;
        Version = VersionOf(text);
    }

    /// <summary>The name used by <c>in segment</c> and the CLI.</summary>
    public string Name { get; }

    /// <summary>A title for people.</summary>
    public string? Title { get; }

    /// <summary>What it is for.</summary>
    public string? Description { get; }

    /// <summary>The file it is defined in.</summary>
    public string? File { get; }

    /// <summary>Its text, as written in the file.</summary>
    public string Text { get; }

    /// <summary>Where in the file.</summary>
    public TextSpan Span { get; }

    /// <summary>A hash of <see cref="Text"/>: a new version whenever the definition changes.</summary>
    public string Version { get; }

    /// <summary>Segments it refers to with <c>in segment</c>.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>The customer traits its conditions test (those of segments it refers to included), each once, in order.</summary>
    public IReadOnlyList<string> CustomerTraits
    {
        get
        {
            var names = new List<string>();
            void Visit(BoundCondition c)
            {
                switch (c)
                {
                    case BoundAll all: all.Items.ToList().ForEach(Visit); break;
                    case BoundAny any: any.Items.ToList().ForEach(Visit); break;
                    case BoundNot not: Visit(not.Operand); break;
                    case BoundSegmentRef reference: Visit(reference.Condition); break;
                    case BoundTest { Value: CustomerField tested }: names.Add(tested.Field.Name); break;
                    case BoundRank { Measure: CustomerField ranked }: names.Add(ranked.Field.Name); break;
                    default: break;
                }
            }

            Visit(Condition);
            return names.Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The text of each top-level condition (the parts joined by <c>and</c>).</summary>
    public IReadOnlyList<string> ConditionTexts => Steps.Select(s => s.Text).ToList();

    internal BoundCondition Condition { get; }

    internal IReadOnlyList<(string Text, BoundCondition Condition)> Steps { get; }

    /// <summary>The SQL for this segment in a dialect, relative to one as-of instant.</summary>
    public SegmentQuery Query(ISqlDialect dialect, EvaluationContext context) => new(this, dialect, context);

    internal static SegmentDefinition Create(SegmentSyntax syntax, SegmentSource source, BoundCondition condition)
    {
        var text = source.Text.Substring(syntax.Span.Start, syntax.Span.Length);
        var conjuncts = syntax.Condition is AndSyntax and ? and.Items : [syntax.Condition];
        var bound = condition is BoundAll all && syntax.Condition is AndSyntax ? all.Items : [condition];
        var steps = conjuncts.Zip(bound, (s, b) => (OneLine(source.Text.Substring(s.Span.Start, s.Span.Length)), b)).ToList();
        var dependsOn = new List<string>();
        CollectReferences(syntax.Condition, dependsOn);
        return new SegmentDefinition(syntax.Name, syntax.Title, syntax.Description, source.File, text, syntax.Span, condition, steps, dependsOn.Distinct(StringComparer.Ordinal).ToList());
    }

    private static void CollectReferences(ConditionSyntax syntax, List<string> names)
    {
        switch (syntax)
        {
            case AndSyntax and:
                and.Items.ToList().ForEach(i => CollectReferences(i, names));
                break;
            case OrSyntax or:
                or.Items.ToList().ForEach(i => CollectReferences(i, names));
                break;
            case NotSyntax not:
                CollectReferences(not.Operand, names);
                break;
            case SegmentRefSyntax reference:
                names.Add(reference.Name);
                break;
            default:
                break;
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static string VersionOf(string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..16];
    }
}
