using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>
/// Binds a mapping to a source and to the warehouse's current columns (all mistakes surface here,
/// before anything is written), then converts each record into a batch row or a quarantine reason.
/// </summary>
internal sealed class RecordConverter : IExprRow
{
    private readonly IRecordSource source;
    private readonly BoundField[] fields;
    private readonly MappingExpression? filter;
    private readonly string? filterText;
    private readonly MappingExpression? selector;
    private readonly TimeZoneInfo zone;
    private readonly HashSet<string> eventTypes;
    private readonly int eventTypeColumn = -1;
    private readonly int channelColumn = -1;
    private readonly int customerIdColumn;
    private readonly int anonymousIdColumn = -1;
    private readonly int userIdColumn = -1;
    private readonly RowIdentity? eventIdentity;
    private readonly OccurrenceCounter? occurrences;
    private readonly RowIdentity? customerIdentity;
    private readonly Dictionary<string, (long Line, UInt128 Hash)>? customersSeen;
    private long row;

    private readonly IReadOnlySet<string> suppressed;
    private readonly int emailColumn = -1;

    /// <summary>Binds <paramref name="mapping"/>; rows of a <paramref name="suppressed"/> identifier (<see cref="Identity.Suppression"/> hashes) are dropped and counted.</summary>
    public RecordConverter(IngestMapping mapping, IRecordSource source, IReadOnlyList<FieldDefinition> warehouseColumns, TimeZoneInfo defaultZone, IReadOnlyList<string> eventTypes, IReadOnlySet<string>? suppressed = null)
    {
        this.source = source;
        this.suppressed = suppressed ?? new HashSet<string>();
        Table = mapping.Table;
        zone = mapping.TimeZone is { } z ? TimeZoneInfo.FindSystemTimeZoneById(z) : defaultZone;
        this.eventTypes = new HashSet<string>(eventTypes, StringComparer.Ordinal);
        var where = mapping.File ?? source.Name;
        var existing = warehouseColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < source.Columns.Count; i++)
        {
            ordinals.TryAdd(source.Columns[i], i);
        }

        int Resolve(string name) => ordinals.TryGetValue(name, out var i) ? i : -1;

        // Every expression of the mapping parses the same way; a mistake names where it is written and what it is.
        MappingExpression Parse(string text, string? position, string what)
        {
            try
            {
                return MappingExpression.Parse(text, Resolve, source.Columns);
            }
            catch (ExprSyntaxException e)
            {
                throw new IngestSetupException($"{position ?? where}: in {what} at character {e.Offset + 1}: {e.Message}");
            }
        }

        // Columns of the load: for events, the id first; then the mapped fields in mapping order.
        var columns = new List<FieldDefinition>();
        var outputColumns = new List<FieldDefinition>();
        var newColumns = new List<FieldDefinition>();
        GeneratesEventIds = Table == TableKind.Events && mapping.Fields.All(f => f.Target != CanonicalModel.EventId);
        if (GeneratesEventIds)
        {
            columns.Add(CanonicalModel.Find(TableKind.Events, CanonicalModel.EventId)!);
            outputColumns.Add(columns[0]);
        }

        var bound = new List<BoundField>();
        var anonymous = mapping.Fields.Any(f => f.Target == CanonicalModel.AnonymousId);
        foreach (var f in mapping.Fields)
        {
            var definition = CanonicalModel.Find(Table, f.Target) ?? new FieldDefinition(f.Target, f.Type!.Value, Declared: true);
            if (existing.TryGetValue(f.Target, out var present) && present.Type != definition.Type)
            {
                throw new IngestSetupException($"{f.Position ?? where}: `{f.Target}` already exists in {CanonicalModel.TableName(Table)} as {FieldTypes.Name(present.Type)}, not {FieldTypes.Name(definition.Type)}");
            }

            if (!existing.ContainsKey(f.Target) && !(Table == TableKind.Customers && CanonicalModel.IsCustomerLink(f.Target)))
            {
                newColumns.Add(definition);
            }

            MappingExpression? expression = null;
            var ordinal = -1;
            if (f.Column is { } column)
            {
                ordinal = Resolve(column);
                if (ordinal < 0)
                {
                    var suggestion = Suggestions.Closest(column, source.Columns);
                    throw new IngestSetupException($"{f.Position ?? where}: `{f.Target}` reads column `{column}`, which {source.Name} does not have"
                        + (suggestion is null ? $" (its columns: {string.Join(", ", source.Columns)})" : $" — did you mean `{suggestion}`?"));
                }
            }
            else if (f.Expression is { } text)
            {
                expression = Parse(text, f.Position, $"the expression of `{f.Target}`");
            }

            // A row may name its person by a user id, an anonymous id or both (docs/identity.md).
            var required = f.Required || (f.Target == CanonicalModel.CustomerId && !anonymous)
                || (Table == TableKind.Events && f.Target is CanonicalModel.EventType or CanonicalModel.OccurredAt or CanonicalModel.EventId);
            // A counted field is only present or missing in each record: it is read as text and counted after.
            var input = f.Aggregate == RowAggregate.Count ? definition with { Type = FieldType.Text } : definition;
            bound.Add(new BoundField(input, columns.Count, ordinal, expression, f.Constant, f.Formats ?? [], f.ValueMap, f.Default, required, f.Column));
            columns.Add(input);
            outputColumns.Add(definition);
        }

        if (!anonymous && bound.All(b => b.Definition.Name != CanonicalModel.CustomerId))
        {
            throw new IngestSetupException($"{where}: {CanonicalModel.TableName(Table)} need `customer_id` (a user id) or `anonymous_id`; map a column to one or give it a constant `value`");
        }

        foreach (var needed in Table == TableKind.Customers ? [] : new[] { CanonicalModel.EventType, CanonicalModel.OccurredAt })
        {
            if (bound.All(b => b.Definition.Name != needed))
            {
                throw new IngestSetupException($"{where}: {CanonicalModel.TableName(Table)} need `{needed}`; map a column to it or give it a constant `value`");
            }
        }

        if (bound.All(b => b.Definition.Name != CanonicalModel.CustomerId))
        {
            // The profile's id is resolved from the anonymous id: the column is filled, never read.
            var id = CanonicalModel.Find(Table, CanonicalModel.CustomerId)!;
            bound.Add(new BoundField(id, columns.Count, -1, null, null, [], null, null, false, null));
            columns.Add(id);
            outputColumns.Add(id);
        }

        if (Table == TableKind.Events)
        {
            // The user id the event came with, kept beside the customer id it is attributed to.
            var user = CanonicalModel.Find(Table, CanonicalModel.UserId)!;
            userIdColumn = columns.Count;
            columns.Add(user);
            outputColumns.Add(user);
            if (!existing.ContainsKey(user.Name))
            {
                newColumns.Add(user);
            }
        }

        if (mapping.Filter is { } filterExpression)
        {
            filter = Parse(filterExpression, mapping.FilterPosition, "the filter");
            filterText = filterExpression;
        }

        if (mapping.Where is { } whereExpression)
        {
            selector = Parse(whereExpression, mapping.WherePosition, "`where`");
        }

        fields = [.. bound];
        Columns = columns;
        OutputColumns = outputColumns;
        NewColumns = newColumns;
        customerIdColumn = bound.First(b => b.Definition.Name == CanonicalModel.CustomerId).Slot;
        anonymousIdColumn = bound.FirstOrDefault(b => b.Definition.Name == CanonicalModel.AnonymousId)?.Slot ?? -1;
        emailColumn = Table == TableKind.Customers ? bound.FirstOrDefault(b => b.Definition.Name == "email")?.Slot ?? -1 : -1;
        var layout = new RowBatch(columns, 1);
        if (Table == TableKind.Events)
        {
            eventTypeColumn = bound.First(b => b.Definition.Name == CanonicalModel.EventType).Slot;
            channelColumn = bound.FirstOrDefault(b => b.Definition.Name == "channel")?.Slot ?? -1;
            if (GeneratesEventIds)
            {
                var identity = RowIdentity.EventIdentityFields
                    .Select(n => columns.FindIndex(c => c.Name == n))
                    .Where(i => i >= 0)
                    .ToList();
                eventIdentity = new RowIdentity(layout, identity);
                occurrences = new OccurrenceCounter();
            }
        }
        else if (!mapping.Aggregates)
        {
            // A customer appearing again is a conflict, unless the mapping combines records (then it is the point).
            customerIdentity = new RowIdentity(layout, Enumerable.Range(0, columns.Count).ToList());
            customersSeen = new Dictionary<string, (long, UInt128)>(StringComparer.Ordinal);
        }
    }

    public TableKind Table { get; }

    /// <summary>The columns of the converted rows, in batch order.</summary>
    public List<FieldDefinition> Columns { get; }

    /// <summary>The columns loaded: <see cref="Columns"/>, but for counted fields, which are read as text and loaded as integers.</summary>
    public List<FieldDefinition> OutputColumns { get; }

    /// <summary>Declared columns the warehouse does not have yet.</summary>
    public IReadOnlyList<FieldDefinition> NewColumns { get; }

    /// <summary>True when event ids are content hashes (the source has none).</summary>
    public bool GeneratesEventIds { get; }

    /// <summary>
    /// The plan for the warehouse to read the file itself (<see cref="BulkCsvPlan"/>), or null when a row may need what
    /// only this converter does: expressions, constants, value maps, defaults, formats, filters, anonymous ids, generated
    /// event ids, combined customer records, suppressed identifiers, or a source that is not a UTF-8 CSV file with a delimiter.
    /// </summary>
    public BulkCsvPlan? BulkPlan()
    {
        // Customers: each id once per file (a repeat, identical or not, is the converter's to judge), no identity links.
        var events = Table == TableKind.Events;
        // DuckDB reads a path as a glob: `*`, `?`, `[` or `{` in it could name other files too.
        if (source is not CsvRecordSource { FilePath: { } path, IsStrictUtf8: true } csv || path.AsSpan().IndexOfAny("*?[{") >= 0
            || csv.Delimiter == DelimitedFormat.Whitespace || filter is not null || selector is not null || anonymousIdColumn >= 0
            || suppressed.Count > 0 || (events ? GeneratesEventIds : customersSeen is null || fields.Any(f => CanonicalModel.IsCustomerLink(f.Definition.Name))))
        {
            return null;
        }

        var columns = new List<BulkColumn>();
        foreach (var f in fields)
        {
            if (f.SourceColumn is null || f.Ordinal < 0 || f.Expression is not null || f.Constant is not null || f.ValueMap is not null
                || f.Default is not null || f.Formats.Count > 0)
            {
                return null;
            }

            var name = f.Definition.Name;
            columns.Add(new BulkColumn(f.Definition, source.Columns[f.Ordinal], f.Required, CanonicalModel.IsIdentifier(name),
                Trimmed: name is CanonicalModel.CustomerId or CanonicalModel.EventType));
        }

        return new BulkCsvPlan(path, csv.Delimiter, csv.Quote, csv.HasHeader, source.Columns, columns,
            events ? [.. eventTypes.Order(StringComparer.Ordinal)] : [],
            events ? [.. eventTypes.Where(Model.Consent.IsConsentEvent).Order(StringComparer.Ordinal)] : [],
            events ? CanonicalModel.CustomerId : null);
    }

    long IExprRow.Line => source.Line;

    long IExprRow.Row => row;

    /// <summary>Converts the current record into row <c>batch.Count</c>, or records why it cannot be loaded.</summary>
    public void Convert(RowBatch batch)
    {
        row++;
        batch.Read++;
        var reason = Select(out var selected);
        if (reason is null && !selected)
        {
            batch.Skipped++;
            return;
        }

        reason ??= ConvertRow(batch, batch.Count);
        if (reason is null && suppressed.Count > 0 && IsSuppressed(batch, batch.Count))
        {
            batch.ClearRow(batch.Count);
            batch.Suppressed++;
            return;
        }

        if (reason is null && customersSeen is not null)
        {
            reason = CheckRepeatedCustomer(batch, out var duplicate);
            if (duplicate)
            {
                batch.ClearRow(batch.Count);
                batch.Duplicates++;
                return;
            }
        }

        if (reason is null)
        {
            batch.Lines[batch.Count] = source.Line;
            batch.Count++;
        }
        else
        {
            batch.ClearRow(batch.Count);
            batch.Quarantined.Add(new QuarantinedRow(source.Line, reason, source.RawRecord()));
        }
    }

    /// <summary>Whether the mapping's <c>where</c> selects the current record (a broken record is never skipped: it is quarantined).</summary>
    private string? Select(out bool selected)
    {
        selected = true;
        if (selector is null || source.RecordError is not null)
        {
            return null;
        }

        try
        {
            selected = MappingExpression.ToBoolean(selector.Evaluate(this));
            return null;
        }
        catch (ExprRowException e)
        {
            return e.Message;
        }
    }

    private string? ConvertRow(RowBatch batch, int r)
    {
        if (source.RecordError is { } structural)
        {
            return structural;
        }

        try
        {
            if (filter is not null && !MappingExpression.ToBoolean(filter.Evaluate(this)))
            {
                return $"excluded by the mapping's filter `{filterText}`";
            }

            foreach (var f in fields)
            {
                var error = ConvertField(f, batch, r);
                if (error is not null)
                {
                    return error;
                }
            }
        }
        catch (ExprRowException e)
        {
            return e.Message;
        }

        if (Identify(batch, r) is { } unidentified)
        {
            return unidentified;
        }

        if (eventTypeColumn >= 0)
        {
            var type = batch.Text(eventTypeColumn)[r]!;
            if (!eventTypes.Contains(type))
            {
                var suggestion = Suggestions.Closest(type, eventTypes);
                return $"unknown event type `{type}`" + (suggestion is null ? "; add it to event_types in segmenta.yaml if it is real" : $" — did you mean `{suggestion}`?");
            }

            if (Model.Consent.IsConsentEvent(type) && (channelColumn < 0 || string.IsNullOrWhiteSpace(batch.Text(channelColumn)[r])))
            {
                // A consent fact of no channel would be stored and never read: say so rather than lose it silently.
                return $"a `{type}` event needs the channel it is about in `channel` ({string.Join(", ", Model.Consent.StandardChannels)}, …)";
            }
        }

        if (eventIdentity is not null)
        {
            var hash = eventIdentity.Hash(batch, r);
            batch.Text(0)[r] = RowIdentity.EventId(hash, occurrences!.Next(hash));
        }

        return null;
    }

    /// <summary>
    /// Names the row's person: the customer id is the user id, or <c>anon:</c> and the anonymous id until identity
    /// resolution attributes it (docs/identity.md); an event keeps the user id it came with.
    /// </summary>
    private string? Identify(RowBatch batch, int r)
    {
        var ids = batch.Text(customerIdColumn);
        var user = ids[r] is { Length: > 0 } u && !string.IsNullOrWhiteSpace(u) ? u : null;
        var visitor = anonymousIdColumn >= 0 && batch.Text(anonymousIdColumn)[r] is { } a && !string.IsNullOrWhiteSpace(a) ? a : null;
        if (anonymousIdColumn >= 0)
        {
            batch.Text(anonymousIdColumn)[r] = visitor;
        }

        if (user is null && visitor is null)
        {
            return anonymousIdColumn >= 0 ? "missing customer_id and anonymous_id: a row needs a user id or an anonymous id" : "missing customer_id";
        }

        if (user is not null && user.StartsWith(Identity.Identifier.AnonymousPrefix, StringComparison.Ordinal))
        {
            return $"customer_id `{user}`: ids starting with `{Identity.Identifier.AnonymousPrefix}` are reserved for anonymous visitors; map such an id to anonymous_id";
        }

        ids[r] = user ?? Identity.Identifier.AnonymousPrefix + visitor;
        if (userIdColumn >= 0)
        {
            batch.Text(userIdColumn)[r] = user;
        }

        return null;
    }

    /// <summary>Whether the row belongs to an erased customer: its user id, anonymous id or (on a profile) e-mail is suppressed.</summary>
    private bool IsSuppressed(RowBatch batch, int r)
    {
        var user = userIdColumn >= 0 ? batch.Text(userIdColumn)[r] : batch.Text(customerIdColumn)[r];
        if (user is not null && !user.StartsWith(Identity.Identifier.AnonymousPrefix, StringComparison.Ordinal) && suppressed.Contains(Identity.Suppression.Hash(Identity.Suppression.UserId, user)))
        {
            return true;
        }

        if (anonymousIdColumn >= 0 && batch.Text(anonymousIdColumn)[r] is { } visitor && suppressed.Contains(Identity.Suppression.Hash(Identity.Suppression.AnonymousId, visitor)))
        {
            return true;
        }

        return emailColumn >= 0 && batch.Text(emailColumn)[r] is { } email && suppressed.Contains(Identity.Suppression.Hash(Identity.Suppression.Email, email));
    }

    private string? CheckRepeatedCustomer(RowBatch batch, out bool duplicate)
    {
        duplicate = false;
        var id = batch.Text(customerIdColumn)[batch.Count]!;
        var hash = customerIdentity!.Hash(batch, batch.Count);
        if (customersSeen!.TryGetValue(id, out var first))
        {
            if (first.Hash == hash)
            {
                duplicate = true;
                return null;
            }

            return string.Create(CultureInfo.InvariantCulture, $"customer `{id}` appears again with different values (first on line {first.Line})");
        }

        customersSeen[id] = (source.Line, hash);
        return null;
    }

    private string? ConvertField(BoundField f, RowBatch batch, int r)
    {
        ReadOnlySpan<char> text;
        var missing = false;
        string? computed = null;
        if (f.Ordinal >= 0)
        {
            missing = source.IsNull(f.Ordinal);
            text = source.Value(f.Ordinal);
        }
        else if (f.Expression is not null)
        {
            computed = f.Expression.Evaluate(this).AsText();
            missing = computed is null;
            text = computed;
        }
        else
        {
            text = f.Constant;
            missing = f.Constant is null;
        }

        if (f.ValueMap is not null && !missing && f.ValueMap.TryGetValue(text.ToString(), out var mapped))
        {
            text = mapped;
        }

        if ((missing || text.IsWhiteSpace()) && f.Definition.Type != FieldType.Text)
        {
            missing = true;
        }

        if (missing && f.Default is not null)
        {
            text = f.Default;
            missing = false;
        }

        if (missing || (f.Required && text.IsWhiteSpace()))
        {
            return f.Required ? $"missing {f.Definition.Name}" + (f.SourceColumn is null ? "" : $" (column `{f.SourceColumn}` is empty)") : null;
        }

        string? error;
        switch (f.Definition.Type)
        {
            case FieldType.Text:
                var identifier = CanonicalModel.IsIdentifier(f.Definition.Name);
                error = StoredText.Problem(text, identifier);
                if (error is null)
                {
                    batch.Text(f.Slot)[r] = computed ?? (f.Definition.Name == CanonicalModel.CustomerId || f.Definition.Name == CanonicalModel.EventType
                        ? text.Trim().ToString()
                        : text.ToString());
                }

                break;
            case FieldType.Integer:
                error = ValueParser.ParseInteger(text, out var l);
                if (error is null)
                {
                    batch.Integers(f.Slot)[r] = l;
                }

                break;
            case FieldType.Number:
                error = ValueParser.ParseNumber(text, out var d);
                if (error is null)
                {
                    batch.Numbers(f.Slot)[r] = d;
                }

                break;
            case FieldType.Boolean:
                error = ValueParser.ParseBoolean(text, out var b);
                if (error is null)
                {
                    batch.Booleans(f.Slot)[r] = b;
                }

                break;
            case FieldType.Date:
                error = ValueParser.ParseDate(text, f.Formats, out var date);
                if (error is null)
                {
                    batch.Dates(f.Slot)[r] = date;
                }

                break;
            default:
                error = ValueParser.ParseTimestamp(text, f.Formats, zone, out var utc);
                if (error is null)
                {
                    batch.Timestamps(f.Slot)[r] = utc;
                }

                break;
        }

        return error is null ? null : $"{f.Definition.Name}: {error}" + (f.SourceColumn is null ? "" : $" (column `{f.SourceColumn}`)");
    }

    bool IExprRow.IsNull(int ordinal) => source.IsNull(ordinal);

    ReadOnlySpan<char> IExprRow.Value(int ordinal) => source.Value(ordinal);

    string IExprRow.ColumnName(int ordinal) => source.Columns[ordinal];

    private sealed record BoundField(
        FieldDefinition Definition,
        int Slot,
        int Ordinal,
        MappingExpression? Expression,
        string? Constant,
        IReadOnlyList<string> Formats,
        IReadOnlyDictionary<string, string>? ValueMap,
        string? Default,
        bool Required,
        string? SourceColumn);
}
