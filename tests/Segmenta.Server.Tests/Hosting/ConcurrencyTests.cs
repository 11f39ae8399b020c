using System.Net;
using System.Text.Json;
using Segmenta.Sql;
using Xunit;

namespace Segmenta.Server.Tests;

/// <summary>Reads do not queue behind writes: a refresh or a flush holds the writer, previews and reads go on.</summary>
public sealed class ConcurrencyTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Reads_WhileAWriteTransactionIsOpen_AnswerWithTheCommittedState()
    {
        // During a refresh (20 s at 10M events) every request waited, collection acknowledgements included.
        using var client = server.Client(server.Reader);
        var before = await Customers(client);
        var inside = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var writer = Task.Run(() => server.Access.Use(w =>
        {
            using var transaction = w.BeginTransaction();
            transaction.Execute(new SqlStatement("INSERT INTO customers (customer_id) VALUES ('uncommitted-1')", []));
            inside.SetResult();
            release.Task.Wait();
            transaction.Commit();
            return 0;
        }, CancellationToken.None));
        await inside.Task;

        // The writer holds its connection with an open transaction: reads answer now, with what was committed.
        Assert.Equal(before, await Customers(client));
        var preview = await client.PostAsync(new Uri("/api/segments/preview", UriKind.Relative),
            new StringContent(JsonSerializer.Serialize(new { text = "segment t where age >= 18", sample = 0 }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.False(writer.IsCompleted);

        release.SetResult();
        await writer;
        Assert.Equal(before + 1, await Customers(client));
        await server.Access.Use(w =>
        {
            w.ExecuteInTransaction([new SqlStatement("DELETE FROM customers WHERE customer_id = 'uncommitted-1'", [])]);
            return 0;
        }, CancellationToken.None);
    }

    private static async Task<long> Customers(HttpClient client)
    {
        var response = await client.GetAsync(new Uri("/api/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("customers").GetInt64();
    }
}
