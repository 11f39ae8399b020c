using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Segmenta.Activation;

namespace Segmenta.Server.Tests.Activation;

/// <summary>What the receiver got: the key, the body, and whether the signature held.</summary>
internal sealed record Received(string Key, string Body, bool SignatureOk, string? Problem);

/// <summary>A real HTTP receiver: answers each request (numbered from 1) with a status after a delay, and records it.</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Received> requests = new();
    private int count;

    private Receiver(WebApplication app) => this.app = app;

    public int Port { get; private set; }

    public IReadOnlyList<Received> Requests => [.. requests];

    public static async Task<Receiver> Start(string secret, int port, Func<int, string, (int Status, TimeSpan Delay)> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var ok = WebhookSignature.Verify(Encoding.UTF8.GetBytes(secret), body, context.Request.Headers[WebhookSignature.Header], DateTimeOffset.UtcNow, WebhookSignature.DefaultWindow, out var problem);
            var n = Interlocked.Increment(ref receiver.count);
            var text = Encoding.UTF8.GetString(body);
            receiver.requests.Enqueue(new Received(context.Request.Headers[WebhookDelivery.IdempotencyHeader].ToString(), text, ok, problem));
            var (status, delay) = answer(n, text);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        receiver.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
