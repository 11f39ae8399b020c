using Xunit;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenta.Testing;

namespace Segmenta.Server.Tests;

/// <summary>
/// The API's contract: the OpenAPI document describes every response with its schema, and it changes only on
/// purpose. docs/openapi.json is the committed copy; a change to a document's shape fails here until the copy is
/// rewritten (run with SEGMENTA_UPDATE_GOLDEN=1) and the diff reviewed with the change.
/// </summary>
public sealed class OpenApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly bool Update = Environment.GetEnvironmentVariable("SEGMENTA_UPDATE_GOLDEN") == "1";

    private static string Committed => Path.Combine(TestPaths.RepositoryRoot, "docs", "openapi.json");

    private async Task<JsonObject> DocumentAsync()
    {
        using var client = server.Client(server.Reader);
        var text = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = JsonNode.Parse(text)!.AsObject();
        document.Remove("servers");   // the test host's address and port: not part of the contract
        return document;
    }

    [Fact]
    public async Task The_OpenAPI_document_is_the_committed_one()
    {
        var actual = (await DocumentAsync()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Update)
        {
            File.WriteAllText(Committed, actual);
        }

        var expected = File.ReadAllText(Committed);
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            var line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
            Assert.Fail($"the API's OpenAPI document differs from docs/openapi.json at line {line + 1}:\n  committed: {(line < e.Length ? e[line].Trim() : "(end)")}\n  served:    {(line < a.Length ? a[line].Trim() : "(end)")}\n" +
                "if the change is meant, rerun with SEGMENTA_UPDATE_GOLDEN=1 and commit the diff");
        }
    }

    [Fact]
    public async Task Every_successful_JSON_response_has_a_schema()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]?["schemas"]?.AsObject() ?? [];
        var undescribed = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                var ok = responses.Where(r => r.Key.StartsWith('2')).ToList();
                if (ok.Count == 0)
                {
                    undescribed.Add($"{method.ToUpperInvariant()} {path}: no 2xx response");
                    continue;
                }

                foreach (var (status, response) in ok)
                {
                    var content = response!["content"]?.AsObject();
                    if (status == "204" || path.EndsWith("/export", StringComparison.Ordinal) || path == "/")
                    {
                        continue;   // no body, a file, the dashboard page
                    }

                    var schema = content?.FirstOrDefault().Value?["schema"];
                    if (schema is null || Describes(schema, schemas) is false)
                    {
                        undescribed.Add($"{method.ToUpperInvariant()} {path} {status}: {schema?.ToJsonString() ?? "no schema"}");
                    }
                }
            }
        }

        Assert.True(undescribed.Count == 0, "responses without a schema:\n" + string.Join('\n', undescribed));
    }

    /// <summary>True when a schema names its fields (an object with properties, an array of such, or a reference to one).</summary>
    private static bool Describes(JsonNode schema, JsonObject schemas)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            return schemas[reference.Split('/')[^1]] is { } target && Describes(target, schemas);
        }

        if (schema["items"] is { } items)
        {
            return Describes(items, schemas);
        }

        return schema["properties"] is JsonObject { Count: > 0 };
    }
}
