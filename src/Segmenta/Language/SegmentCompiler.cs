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
    /// <summary>The longest chain of <c>in segment</c> references accepted (a segment with none has depth 0).</summary>
    public const int MaxReferenceDepth = 32;

    /// <summary>The most segments one segment may refer to, directly or through others.</summary>
    public const int MaxReferences = 256;

    /// <summary>Compiles every segment of every source against the schema.</summary>
    public static SegmentCompilation Compile(IReadOnlyList<SegmentSource> sources, SegmentSchema schema)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(schema);
        var diagnostics = new List<Diagnostic>();
        var parsed = new List<(SegmentSyntax Syntax, SegmentSource Source)>();
        var traitSyntax = new List<(TraitSyntax Syntax, SegmentSource Source)>();
        var failed = new List<(string? Name, string? File, TextSpan At)>();
        foreach (var source in sources)
        {
            var found = new List<Diagnostic>();
            var unparsed = new List<(string? Name, TextSpan At)>();
            var (segments, traits) = Parser.ParseDefinitions(source.Text, found, unparsed);
            diagnostics.AddRange(found.Select(d => d with { File = source.File }));
            parsed.AddRange(segments.Select(s => (s, source)));
            traitSyntax.AddRange(traits.Select(t => (t, source)));
            failed.AddRange(unparsed.Select(u => (u.Name, source.File, u.At)));
        }

        var (computed, brokenTraits) = CompileTraits(traitSyntax, schema, diagnostics, failed);
        schema = schema.WithComputed(computed);
        var traitsByName = computed.ToDictionary(t => t.Name, StringComparer.Ordinal);

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
                failed.Add((item.Syntax.Name, item.Source.File, item.Syntax.Span));
                continue;
            }

            byName[item.Syntax.Name] = item;
        }

        // Bind in dependency order, found without recursion (a chain of references can be as long as the file);
        // a reference that closes a circle is remembered with the circle, to be reported where it is written.
        var firsts = parsed.Where(p => ReferenceEquals(byName[p.Syntax.Name].Syntax, p.Syntax)).Select(p => p.Syntax.Name).ToList();
        var (order, cycles) = DependencyOrder(firsts, name => SegmentDefinition.ReferencesOf(byName[name].Syntax.Condition).Where(byName.ContainsKey).ToList());
        var bound = new Dictionary<string, SegmentDefinition?>(StringComparer.Ordinal);
        foreach (var name in order)
        {
            SegmentResolution Resolve(string target)
            {
                if (!byName.ContainsKey(target))
                {
                    return new SegmentResolution(null, DiagnosticCodes.UnknownSegment, $"unknown segment `{target}`{Suggestions.DidYouMean(target, byName.Keys)}");
                }

                if (cycles.TryGetValue((name, target), out var cycle))
                {
                    return new SegmentResolution(null, DiagnosticCodes.SegmentCycle, $"segments refer to each other in a circle: {string.Join(" → ", cycle)}");
                }

                return bound.GetValueOrDefault(target) is { } definition
                    ? Refer(definition)
                    : new SegmentResolution(null, DiagnosticCodes.UnknownSegment, $"segment `{target}` has errors of its own; fix them first");
            }

            var (syntax, source) = byName[name];
            var found = new List<Diagnostic>();
            var binder = new Binder(schema, Resolve, found) { BrokenTraits = brokenTraits };
            var condition = binder.Bind(syntax.Condition);
            diagnostics.AddRange(found.Select(d => d with { File = source.File }));
            bound[name] = condition is null ? null : Limited(SegmentDefinition.Create(syntax, source, condition, [.. binder.UsedTraits.Select(t => traitsByName[t])]), diagnostics);
        }

        var result = new List<SegmentDefinition>();
        // File order; a repeated name was reported above and only its first definition counts.
        foreach (var name in firsts)
        {
            if (bound[name] is { } definition)
            {
                result.Add(definition);
            }
            else
            {
                failed.Add((name, byName[name].Source.File, byName[name].Syntax.Span));
            }
        }

        var files = sources.Select(s => s.File).ToList();
        var ordered = diagnostics
            .Distinct()
            .OrderBy(d => files.IndexOf(d.File))
            .ThenBy(d => d.Span.Start)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
        var notCompiled = FailedSegments(failed.OrderBy(f => files.IndexOf(f.File)).ThenBy(f => f.At.Start).ToList(), ordered);
        return new SegmentCompilation(result, ordered, notCompiled, computed, schema);
    }

    /// <summary>
    /// Binds the computed traits in dependency order (a trait may use traits defined anywhere, not in a circle); a name
    /// already taken by a customer trait or another computed trait is a diagnostic. Returns those that compiled, and the
    /// names of those that did not.
    /// </summary>
    private static (List<ComputedTrait> Compiled, HashSet<string> Broken) CompileTraits(
        List<(TraitSyntax Syntax, SegmentSource Source)> traits,
        SegmentSchema schema,
        List<Diagnostic> diagnostics,
        List<(string? Name, string? File, TextSpan At)> failed)
    {
        var byName = new Dictionary<string, (TraitSyntax Syntax, SegmentSource Source)>(StringComparer.Ordinal);
        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in traits)
        {
            var name = item.Syntax.Name;
            var taken = byName.TryGetValue(name, out var first)
                ? $"a computed trait named `{name}` is already defined at {first.Source.File ?? "<text>"}:{first.Syntax.NameSpan.Line}:{first.Syntax.NameSpan.Column}"
                : schema.Customer(name) is not null ? $"`{name}` is a trait of the customers table; give the computed trait another name" : null;
            if (taken is not null)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.DuplicateSegment, taken, item.Syntax.NameSpan, item.Source.File));
                failed.Add((name, item.Source.File, item.Syntax.Span));
                continue;
            }

            byName[name] = item;
        }

        var names = byName.Keys.ToList();
        var (order, cycles) = DependencyOrder(names, name => TraitNames(byName[name].Syntax.Expression).Where(byName.ContainsKey).Distinct(StringComparer.Ordinal).ToList());
        var compiled = new Dictionary<string, ComputedTrait>(StringComparer.Ordinal);
        foreach (var name in order)
        {
            var (syntax, source) = byName[name];
            var found = new List<Diagnostic>();
            foreach (var cycle in cycles.Where(c => c.Key.From == name).Select(c => c.Value))
            {
                found.Add(new Diagnostic(DiagnosticCodes.SegmentCycle, $"computed traits use each other in a circle: {string.Join(" → ", cycle)}", syntax.NameSpan));
            }

            var binder = new Binder(schema.WithComputed(compiled.Values), _ => new SegmentResolution(null), found) { BrokenTraits = broken };
            var value = found.Count == 0 ? binder.BindValue(syntax.Expression) : null;
            diagnostics.AddRange(found.Select(d => d with { File = source.File }));
            if (value is null)
            {
                broken.Add(name);
                failed.Add((name, source.File, syntax.Span));
                continue;
            }

            var uses = binder.UsedTraits.Select(t => compiled[t]).ToList();
            var text = source.Text.Substring(syntax.Span.Start, syntax.Span.Length);
            compiled[name] = new ComputedTrait(name, syntax.Title, syntax.Description, source.File, text, syntax.Span, value, uses);
        }

        // File order, as written.
        return ([.. traits.Select(t => t.Syntax.Name).Distinct(StringComparer.Ordinal).Where(compiled.ContainsKey).Select(n => compiled[n])], broken);
    }

    /// <summary>The bare names an expression reads (customer traits and computed traits alike).</summary>
    private static IEnumerable<string> TraitNames(ValueSyntax value) => value switch
    {
        FieldSyntax { Qualifier: null } field => [field.Name],
        BinarySyntax binary => TraitNames(binary.Left).Concat(TraitNames(binary.Right)),
        NegateSyntax negate => TraitNames(negate.Operand),
        _ => [],
    };

    /// <summary>
    /// Each failed segment (in file order) with the first diagnostic in its text: from its keyword to the next failed
    /// segment's of the same file. One pass with a binary search per segment over the diagnostics of its file (in the same
    /// order), not a scan of all of them per segment: 35,000 broken segments took 14 s that way.
    /// </summary>
    private static List<FailedSegment> FailedSegments(List<(string? Name, string? File, TextSpan At)> failed, List<Diagnostic> diagnostics)
    {
        var byFile = diagnostics.GroupBy(d => d.File ?? "").ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var result = new List<FailedSegment>(failed.Count);
        for (var i = 0; i < failed.Count; i++)
        {
            var (name, file, at) = failed[i];
            var after = i + 1;
            while (after < failed.Count && failed[after].File == file && failed[after].At.Start == at.Start)
            {
                after++;
            }

            var next = after < failed.Count && failed[after].File == file ? failed[after].At.Start : int.MaxValue;
            Diagnostic? first = null;
            if (byFile.TryGetValue(file ?? "", out var inFile))
            {
                // The first diagnostic of the file that starts at or after the segment's keyword.
                int low = 0, high = inFile.Count;
                while (low < high)
                {
                    var mid = (low + high) / 2;
                    (low, high) = inFile[mid].Span.Start < at.Start ? (mid + 1, high) : (low, mid);
                }

                first = low < inFile.Count && inFile[low].Span.Start < next ? inFile[low] : null;
            }

            result.Add(new FailedSegment(name, file, at.Line, first));
        }

        return result;
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
        schema = others?.Schema ?? schema;
        var syntax = Parser.ParseCondition(text, found);
        if (syntax is not null)
        {
            SegmentResolution Resolve(string target) => others?.Find(target) is { } d
                ? Refer(d)
                : new SegmentResolution(null, DiagnosticCodes.UnknownSegment, $"unknown segment `{target}`{Suggestions.DidYouMean(target, others?.Segments.Select(s => s.Name) ?? [])}");
            var binder = new Binder(schema, Resolve, found);
            var condition = binder.Bind(syntax);
            if (condition is not null)
            {
                var segment = new SegmentSyntax(name, default, null, null, syntax, new TextSpan(0, text.Length, 1, 1));
                var traits = binder.UsedTraits.Select(t => schema.Computed(t)!).ToList();
                definition = Limited(SegmentDefinition.Create(segment, new SegmentSource(null, text), condition, traits), found);
            }
        }

        diagnostics = found;
        return definition is not null;
    }

    /// <summary>
    /// Names in an order where each comes after those it refers to (depth first, in the given order), and the references
    /// that close a circle with the circle they close (its first name repeated at the end). Iterative: no recursion.
    /// </summary>
    private static (List<string> Order, Dictionary<(string From, string To), List<string>> Cycles) DependencyOrder(
        IReadOnlyList<string> names,
        Func<string, IReadOnlyList<string>> references)
    {
        var order = new List<string>();
        var cycles = new Dictionary<(string, string), List<string>>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<(string Name, IReadOnlyList<string> References, int Next)>();
        var onPath = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in names)
        {
            if (done.Contains(root))
            {
                continue;
            }

            path.Add((root, references(root), 0));
            onPath.Add(root);
            while (path.Count > 0)
            {
                var (name, targets, next) = path[^1];
                if (next == targets.Count)
                {
                    path.RemoveAt(path.Count - 1);
                    onPath.Remove(name);
                    done.Add(name);
                    order.Add(name);
                    continue;
                }

                path[^1] = (name, targets, next + 1);
                var target = targets[next];
                if (onPath.Contains(target))
                {
                    var from = path.FindIndex(p => p.Name == target);
                    cycles.TryAdd((name, target), [.. path.Skip(from).Select(p => p.Name), target]);
                }
                else if (!done.Contains(target))
                {
                    path.Add((target, references(target), 0));
                    onPath.Add(target);
                }
            }
        }

        return (order, cycles);
    }

    /// <summary>A reference to a compiled segment, unless it would chain references too deep.</summary>
    private static SegmentResolution Refer(SegmentDefinition target) =>
        target.ReferenceDepth >= MaxReferenceDepth ? TooDeep(target.Name) : new SegmentResolution(target);

    private static SegmentResolution TooDeep(string name) => new(
        null,
        DiagnosticCodes.TooDeep,
        $"`in segment {name}` chains segment references more than {MaxReferenceDepth} deep; refer to fewer segments in a row");

    /// <summary>The definition, or null with a diagnostic when it refers to more segments than one query may combine.</summary>
    private static SegmentDefinition? Limited(SegmentDefinition definition, List<Diagnostic> diagnostics)
    {
        if (definition.References.Count <= MaxReferences)
        {
            return definition;
        }

        diagnostics.Add(new Diagnostic(
            DiagnosticCodes.TooManyReferences,
            $"segment `{definition.Name}` refers to {definition.References.Count} segments, directly or through others; at most {MaxReferences} can be combined in one query",
            definition.NameSpan,
            definition.File));
        return null;
    }
}

/// <summary>A segment that did not compile: its name (null when the text does not get that far), where it starts, and its first error.</summary>
public sealed record FailedSegment(string? Name, string? File, int Line, Diagnostic? FirstError);

/// <summary>The outcome of compiling segment files: the segments that compiled, those that did not, and every diagnostic.</summary>
public sealed class SegmentCompilation
{
    internal SegmentCompilation(IReadOnlyList<SegmentDefinition> segments, IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<FailedSegment>? failed = null, IReadOnlyList<ComputedTrait>? traits = null, SegmentSchema? schema = null)
    {
        Segments = segments;
        Diagnostics = diagnostics;
        Failed = failed ?? [];
        Traits = traits ?? [];
        Schema = schema;
    }

    /// <summary>Computed traits that compiled, in file order.</summary>
    public IReadOnlyList<ComputedTrait> Traits { get; }

    /// <summary>The schema the segments were bound against: the given one plus the computed traits. Null for a bare condition's compilation.</summary>
    public SegmentSchema? Schema { get; }

    /// <summary>Segments written but left out for their errors, in file order.</summary>
    public IReadOnlyList<FailedSegment> Failed { get; }

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

/// <summary>
/// What segments and computed traits share: a named definition written as code in a segment file, with its title,
/// description, text, place and version (a hash of the text and of the versions of the computed traits it uses, so that
/// editing a trait makes a new version of what uses it).
/// </summary>
public abstract class CodeDefinition
{
    private protected CodeDefinition(string name, string? title, string? description, string? file, string text, TextSpan span, IReadOnlyList<ComputedTrait> uses)
    {
        Name = name;
        Title = title;
        Description = description;
        File = file;
        Text = text;
        Span = span;
        Version = VersionOf(uses.Count == 0 ? text : text + "\n" + string.Join("\n", uses.Select(t => t.Version)));
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the text (line ends normalized).</summary>
    private static string VersionOf(string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..16];
    }

    /// <summary>The name other definitions, the CLI and the API use.</summary>
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

    /// <summary>A hash of <see cref="Text"/> and the versions of the computed traits it uses: a new version whenever what it means changes.</summary>
    public string Version { get; }
}

/// <summary>One compiled segment: its name, title and description, its text and version, and its bound condition.</summary>
public sealed class SegmentDefinition : CodeDefinition
{
    private SegmentDefinition(string name, string? title, string? description, string? file, string text, TextSpan span, TextSpan nameSpan, BoundCondition condition, IReadOnlyList<(string Text, BoundCondition Condition)> steps, IReadOnlyList<string> dependsOn, IReadOnlyList<ComputedTrait> traits)
        : base(name, title, description, file, text, span, traits)
    {
        NameSpan = nameSpan;
        var targets = Targets(condition);
        ReferenceDepth = targets.Count == 0 ? 0 : 1 + targets.Max(t => t.ReferenceDepth);
        References = targets.SelectMany(t => t.References.Append(t.Name)).ToHashSet(StringComparer.Ordinal);
        Condition = condition;
        Steps = steps;
        DependsOn = dependsOn;
        UsesTraits = traits.Select(t => t.Name).ToList();
    }

    /// <summary>The computed traits its condition uses directly.</summary>
    public IReadOnlyList<string> UsesTraits { get; }

    /// <summary>Where its name is in the file.</summary>
    public TextSpan NameSpan { get; }

    /// <summary>The longest chain of <c>in segment</c> from this segment: 0 when it refers to none.</summary>
    internal int ReferenceDepth { get; }

    /// <summary>Every segment it refers to, directly or through others.</summary>
    internal IReadOnlySet<string> References { get; }

    /// <summary>Segments it refers to with <c>in segment</c>.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>The customer traits its conditions test (those of segments it refers to included), each once, in order.</summary>
    public IReadOnlyList<string> CustomerTraits
    {
        get
        {
            var names = new List<string>();
            var visited = new HashSet<SegmentDefinition>(ReferenceEqualityComparer.Instance);
            void Visit(BoundCondition c)
            {
                switch (c)
                {
                    case BoundAll all: all.Items.ToList().ForEach(Visit); break;
                    case BoundAny any: any.Items.ToList().ForEach(Visit); break;
                    case BoundNot not: Visit(not.Operand); break;
                    case BoundSegmentRef reference when visited.Add(reference.Target): Visit(reference.Target.Condition); break;
                    case BoundTest test: Traits(test.Value); break;
                    case BoundCompare compare: Traits(compare.Left); Traits(compare.Right); break;
                    case BoundRank rank: Traits(rank.Measure); break;
                    default: break;
                }
            }

            void Traits(BoundValue value) => names.AddRange(value.Leaves().OfType<CustomerField>().Select(f => f.Field.Name));

            Visit(Condition);
            return names.Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The text of each top-level condition (the parts joined by <c>and</c>).</summary>
    public IReadOnlyList<string> ConditionTexts => Steps.Select(s => s.Text).ToList();

    internal BoundCondition Condition { get; }

    internal IReadOnlyList<(string Text, BoundCondition Condition)> Steps { get; }

    /// <summary>Per top-level condition, the text of each step when it is a funnel (<c>did A then B … within</c>); null for any other condition.</summary>
    internal IReadOnlyList<IReadOnlyList<string>?> FunnelTexts { get; private init; } = [];

    /// <summary>The SQL for this segment in a dialect, relative to one as-of instant.</summary>
    public SegmentQuery Query(ISqlDialect dialect, EvaluationContext context) => new(this, dialect, context);

    internal static SegmentDefinition Create(SegmentSyntax syntax, SegmentSource source, BoundCondition condition, IReadOnlyList<ComputedTrait>? traits = null)
    {
        var text = source.Text.Substring(syntax.Span.Start, syntax.Span.Length);
        var conjuncts = syntax.Condition is AndSyntax and ? and.Items : [syntax.Condition];
        var bound = condition is BoundAll all && syntax.Condition is AndSyntax ? all.Items : [condition];
        var steps = conjuncts.Zip(bound, (s, b) => (OneLine(source.Text.Substring(s.Span.Start, s.Span.Length)), b)).ToList();
        string Text(EventSyntax e) => OneLine(source.Text.Substring(e.Span.Start, e.Span.Length));
        var funnels = conjuncts.Select(c => c is DidSyntax { Negated: false, Then.Count: > 0 } did
            ? (IReadOnlyList<string>?)[Text(did.First), .. did.Then.Select(s => Text(s.Event))]
            : null).ToList();
        return new SegmentDefinition(syntax.Name, syntax.Title, syntax.Description, source.File, text, syntax.Span, syntax.NameSpan, condition, steps, ReferencesOf(syntax.Condition), traits ?? []) { FunnelTexts = funnels };
    }

    /// <summary>The names a condition refers to with <c>in segment</c>, each once, in order.</summary>
    internal static IReadOnlyList<string> ReferencesOf(ConditionSyntax syntax)
    {
        var names = new List<string>();
        CollectReferences(syntax, names);
        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The segments a condition refers to directly, each once, in order.</summary>
    internal static IReadOnlyList<SegmentDefinition> Targets(BoundCondition condition)
    {
        var targets = new List<SegmentDefinition>();
        void Visit(BoundCondition c)
        {
            switch (c)
            {
                case BoundAll all: all.Items.ToList().ForEach(Visit); break;
                case BoundAny any: any.Items.ToList().ForEach(Visit); break;
                case BoundNot not: Visit(not.Operand); break;
                case BoundSegmentRef reference when !targets.Contains(reference.Target): targets.Add(reference.Target); break;
                default: break;
            }
        }

        Visit(condition);
        return targets;
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
            case TransitionSyntax transition:
                // Not evaluated from its definition but read from its history, which a refresh records first.
                names.Add(transition.Name);
                break;
            default:
                break;
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
}
