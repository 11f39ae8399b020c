using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenta.Files;

namespace Segmenta.Identity;

/// <summary>A file an erasure rewrote without the erased customers' records.</summary>
/// <param name="Path">The file.</param>
/// <param name="RecordsRemoved">Records removed from it.</param>
public sealed record ScrubbedFile(string Path, long RecordsRemoved);

/// <summary>
/// Removes erased customers from the files a workspace wrote (audience files and segment exports under <c>exports/</c>):
/// a record goes when one of its values is one of their ids (exactly) or e-mail addresses (in any case). CSV keeps its header; a JSON array keeps
/// its other objects; Parquet is rewritten through CSV (types as detected again).
/// </summary>
public static class ExportScrubber
{
    /// <summary>Scrubs every CSV, JSON and Parquet file under <paramref name="folder"/> (nothing when it does not exist).</summary>
    public static IReadOnlyList<ScrubbedFile> Scrub(string folder, ErasedValues erased, IParquetFiles? parquet)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(erased);
        var scrubbed = new List<ScrubbedFile>();
        if (!Directory.Exists(folder) || erased.IsEmpty)
        {
            return scrubbed;
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var removed = Path.GetExtension(path).ToUpperInvariant() switch
            {
                ".CSV" or ".JSONL" or ".NDJSON" => ScrubLines(path, erased),
                ".JSON" => ScrubJsonArray(path, erased),
                ".PARQUET" when parquet is not null => ScrubParquet(path, erased, parquet),
                _ => 0,
            };
            if (removed > 0)
            {
                scrubbed.Add(new ScrubbedFile(path, removed));
            }
        }

        return scrubbed;
    }

    private static long ScrubLines(string path, ErasedValues erased)
    {
        var lines = File.ReadAllLines(path);
        var kept = lines.Where((line, i) => (i == 0 && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) || !erased.Mentioned(line)).ToList();
        if (kept.Count == lines.Length)
        {
            return 0;
        }

        Workspaces.AtomicFile.WriteAllText(path, string.Join('\n', kept) + (kept.Count > 0 ? "\n" : ""));
        return lines.Length - kept.Count;
    }

    private static long ScrubJsonArray(string path, ErasedValues erased)
    {
        if (JsonNode.Parse(File.ReadAllText(path)) is not JsonArray array)
        {
            return 0;
        }

        var kept = new JsonArray();
        long removed = 0;
        foreach (var item in array)
        {
            if (item is JsonObject o && o.Any(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) && erased.Names(s)))
            {
                removed++;
            }
            else
            {
                kept.Add(item?.DeepClone());
            }
        }

        if (removed > 0)
        {
            Workspaces.AtomicFile.WriteAllText(path, kept.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        }

        return removed;
    }

    private static long ScrubParquet(string path, ErasedValues erased, IParquetFiles parquet)
    {
        var csv = new StringBuilder();
        long removed = 0;
        using (var source = parquet.Open(path))
        {
            csv.AppendLine(string.Join(',', source.Columns.Select(Quote)));
            while (source.Read())
            {
                var values = Enumerable.Range(0, source.Columns.Count).Select(i => source.IsNull(i) ? null : source.Value(i).ToString()).ToList();
                if (values.Any(v => v is not null && erased.Names(v)))
                {
                    removed++;
                    continue;
                }

                csv.AppendLine(string.Join(',', values.Select(v => v is null ? "" : Quote(v))));
            }
        }

        if (removed > 0)
        {
            var temporary = path + ".scrub.csv";
            File.WriteAllText(temporary, csv.ToString());
            try
            {
                parquet.FromCsv(temporary, path);
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        return removed;
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
