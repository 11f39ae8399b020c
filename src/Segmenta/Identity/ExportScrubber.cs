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
/// a record goes when one of its values is one of their ids or e-mail addresses. CSV keeps its header; a JSON array keeps
/// its other objects; Parquet is rewritten through CSV (types as detected again).
/// </summary>
public static class ExportScrubber
{
    /// <summary>Scrubs every CSV, JSON and Parquet file under <paramref name="folder"/> (nothing when it does not exist).</summary>
    public static IReadOnlyList<ScrubbedFile> Scrub(string folder, IReadOnlySet<string> tokens, IParquetFiles? parquet)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(tokens);
        var scrubbed = new List<ScrubbedFile>();
        if (!Directory.Exists(folder) || tokens.Count == 0)
        {
            return scrubbed;
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var removed = Path.GetExtension(path).ToUpperInvariant() switch
            {
                ".CSV" or ".JSONL" or ".NDJSON" => ScrubLines(path, tokens),
                ".JSON" => ScrubJsonArray(path, tokens),
                ".PARQUET" when parquet is not null => ScrubParquet(path, tokens, parquet),
                _ => 0,
            };
            if (removed > 0)
            {
                scrubbed.Add(new ScrubbedFile(path, removed));
            }
        }

        return scrubbed;
    }

    private static bool Mentions(string text, IReadOnlySet<string> tokens) =>
        Erasure.Tokens(text).Any(t => tokens.Contains(t) || tokens.Contains(t.ToLowerInvariant()));

    private static long ScrubLines(string path, IReadOnlySet<string> tokens)
    {
        var lines = File.ReadAllLines(path);
        var kept = lines.Where((line, i) => (i == 0 && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) || !Mentions(line, tokens)).ToList();
        if (kept.Count == lines.Length)
        {
            return 0;
        }

        Workspaces.AtomicFile.WriteAllText(path, string.Join('\n', kept) + (kept.Count > 0 ? "\n" : ""));
        return lines.Length - kept.Count;
    }

    private static long ScrubJsonArray(string path, IReadOnlySet<string> tokens)
    {
        if (JsonNode.Parse(File.ReadAllText(path)) is not JsonArray array)
        {
            return 0;
        }

        var kept = new JsonArray();
        long removed = 0;
        foreach (var item in array)
        {
            if (item is JsonObject o && o.Any(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) && (tokens.Contains(s) || tokens.Contains(s.ToLowerInvariant()))))
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

    private static long ScrubParquet(string path, IReadOnlySet<string> tokens, IParquetFiles parquet)
    {
        var csv = new StringBuilder();
        long removed = 0;
        using (var source = parquet.Open(path))
        {
            csv.AppendLine(string.Join(',', source.Columns.Select(Quote)));
            while (source.Read())
            {
                var values = Enumerable.Range(0, source.Columns.Count).Select(i => source.IsNull(i) ? null : source.Value(i).ToString()).ToList();
                if (values.Any(v => v is not null && (tokens.Contains(v) || tokens.Contains(v.ToLowerInvariant()))))
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
