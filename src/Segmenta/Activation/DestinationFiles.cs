using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Segmenta.Workspaces;

using Segmenta.Segments;

namespace Segmenta.Activation;

/// <summary>A destination named that has no file in the workspace.</summary>
public sealed class UnknownDestinationException(string message) : SegmentaException(message, FailureKind.NotFound);

/// <summary>
/// The workspace's destination files (<c>destinations/NAME.yaml</c>) and the files file and ad-platform destinations write:
/// one per change and sync, named <c>SEGMENT-ASOF-SYNC-KIND.EXT</c> so a folder sorts in the order they were written.
/// Each appears complete or not at all.
/// </summary>
public static class DestinationFiles
{
    /// <summary>Reads <c>destinations/NAME.yaml</c>; a name is lower snake case, so none reaches outside the folder.</summary>
    public static DestinationDefinition Load(Workspace workspace, string name) => NamedFiles.Load(
        workspace, DestinationDefinition.Folder, "destination", name, DestinationDefinition.Parse, d => d.Name,
        m => new DestinationException(m), m => new UnknownDestinationException(m), " (write one: docs/activation.md)");

    /// <summary>Every destination of the workspace, by name; a file with a mistake fails with its line and column.</summary>
    public static IReadOnlyList<DestinationDefinition> All(Workspace workspace) =>
        [.. NamedFiles.Names(workspace, DestinationDefinition.Folder).Select(n => Load(workspace, n))];

    private static string FolderOf(DestinationDefinition destination, string root) => Path.GetFullPath(Path.Combine(root, destination.Drop!.Folder));

    private static string FileName(string segment, DateTime asOf, long syncId, string kind, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"{segment}-{asOf:yyyyMMdd'T'HHmmss'Z'}-{syncId:D6}-{kind}.{extension}");

    /// <summary>
    /// A file destination's files for one sync: incremental writes who entered (with the traits) and who exited (ids), each
    /// when not empty; a full sync (<see cref="DestinationDefinition.SyncsInFull"/>) writes the whole audience. Returns their paths.
    /// </summary>
    internal static IReadOnlyList<string> WriteDrop(DestinationDefinition destination, string segment, DateTime asOf, long syncId, bool full, IReadOnlyList<DestinationSync.StagedRow> rows, IReadOnlyList<string> traits, DestinationContext context)
    {
        var drop = destination.Drop!;
        var folder = FolderOf(destination, context.Root);
        var extension = drop.Format switch { DropFormat.Csv => "csv", DropFormat.Jsonl => "jsonl", _ => "parquet" };
        var written = new List<string>();
        void Write(string kind, IReadOnlyList<DestinationSync.StagedRow> selected, IReadOnlyList<string> columns)
        {
            var path = Path.Combine(folder, FileName(segment, asOf, syncId, kind, extension));
            Directory.CreateDirectory(folder);
            switch (drop.Format)
            {
                case DropFormat.Csv:
                    AtomicFile.WriteAllText(path, Csv(selected, columns));
                    break;
                case DropFormat.Jsonl:
                    AtomicFile.WriteAllText(path, Jsonl(selected, columns));
                    break;
                default:
                    var parquet = context.Parquet ?? throw new DestinationException($"destination `{destination.Name}` writes Parquet, which this host cannot write");
                    AtomicFile.Replace(path, temporary =>
                    {
                        using var reader = Table(selected, columns).CreateDataReader();
                        parquet.Write(reader, temporary);
                    });
                    break;
            }

            written.Add(path);
        }

        var entered = rows.Where(r => r.Entered).ToList();
        var exited = rows.Where(r => !r.Entered).ToList();
        if (full)
        {
            // A full sync stages the whole audience as entering.
            Write("full", entered, traits);
        }
        else
        {
            if (entered.Count > 0)
            {
                Write(DestinationSql.Entered, entered, traits);
            }

            if (exited.Count > 0)
            {
                Write(DestinationSql.Exited, exited, []);
            }
        }

        return written;
    }

    /// <summary>
    /// An ad platform's customer-list files for one sync: incremental writes an <c>add</c> file and a <c>remove</c> file
    /// (the platforms take both), full a <c>full</c> file to replace the list. Returns their paths and how many customers had
    /// no usable match key.
    /// </summary>
    internal static (IReadOnlyList<string> Files, long Unusable) WriteAudienceFiles(DestinationDefinition destination, string segment, DateTime asOf, long syncId, bool full, IReadOnlyList<DestinationSync.StagedRow> rows, IReadOnlyDictionary<string, string> match, DestinationContext context)
    {
        var folder = FolderOf(destination, context.Root);
        var columns = AudienceMatch.Columns(destination.Type);
        var written = new List<string>();
        long unusable = 0;
        void Write(string kind, IEnumerable<DestinationSync.StagedRow> selected)
        {
            var text = new StringBuilder();
            text.Append(string.Join(',', columns.Select(c => c.Header))).Append('\n');
            var lines = 0;
            foreach (var row in selected)
            {
                string? Trait(string key) => match.TryGetValue(key, out var trait) ? AudienceExport.Format(row.Traits[trait]) : null;
                var country = Trait("country");
                var cells = columns.Select(c => AudienceMatch.Cell(destination.Type, c, Trait(c.Key), destination.PhoneCountryCode, country)).ToList();
                var usable = cells[0] is not null || cells[1] is not null || (cells[2] is not null && cells[3] is not null && cells[4] is not null && cells[5] is not null);
                if (!usable)
                {
                    unusable++;
                    continue;
                }

                text.Append(string.Join(',', cells.Select(c => CsvField(c ?? "")))).Append('\n');
                lines++;
            }

            if (lines > 0 || kind == "full")
            {
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, FileName(segment, asOf, syncId, kind, "csv"));
                AtomicFile.WriteAllText(path, text.ToString());
                written.Add(path);
            }
        }

        if (full)
        {
            Write("full", rows.Where(r => r.Entered));
        }
        else
        {
            Write("add", rows.Where(r => r.Entered));
            Write("remove", rows.Where(r => !r.Entered));
        }

        return (written, unusable);
    }

    private static readonly string[] IdColumn = ["customer_id"];

    private static string Csv(IReadOnlyList<DestinationSync.StagedRow> rows, IReadOnlyList<string> traits)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', IdColumn.Concat(traits).Select(CsvField))).Append('\n');
        foreach (var row in rows)
        {
            text.Append(string.Join(',', new[] { row.CustomerId }.Concat(traits.Select(t => AudienceExport.Format(row.Traits[t]) ?? "")).Select(CsvField))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A CSV field as audience exports write it (RFC 4180, spreadsheet formulas defused: OWASP CSV injection).</summary>
    private static string CsvField(string value) => AudienceExport.Csv(value, text: true);

    private static string Jsonl(IReadOnlyList<DestinationSync.StagedRow> rows, IReadOnlyList<string> traits)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(Encoding.UTF8.GetString(WebhookDelivery.Json(json =>
            {
                json.WriteString("customer_id", row.CustomerId);
                foreach (var trait in traits)
                {
                    AudienceExport.WriteJson(json, trait, row.Traits[trait]);
                }
            }))).Append('\n');
        }

        return text.ToString();
    }

    private static DataTable Table(IReadOnlyList<DestinationSync.StagedRow> rows, IReadOnlyList<string> traits)
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        table.Columns.Add("customer_id", typeof(string));
        foreach (var trait in traits)
        {
            var type = rows.Select(r => r.Traits[trait]).FirstOrDefault(v => v is not null)?.GetType() ?? typeof(string);
            table.Columns.Add(trait, type);
        }

        foreach (var row in rows)
        {
            table.Rows.Add([row.CustomerId, .. traits.Select(t => row.Traits[t] ?? DBNull.Value)]);
        }

        return table;
    }
}
