using System.Collections.Concurrent;
using System.Net;
using AgentBay.Lite.Emulator.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>The link gateway alone on a real loopback port, with a token table the test fills.</summary>
internal sealed class GatewayHost : IAsyncDisposable, ILinkResolver
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<LinkDestination>> _links = new(StringComparer.Ordinal);

    private GatewayHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts the gateway; with <paramref name="resolver"/> it resolves through that instead of the host's own table.</summary>
    public static async Task<GatewayHost> StartAsync(ILinkResolver? resolver = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        builder.Services.AddLinkGateway();
        var app = builder.Build();
        app.UseRouting();
        GatewayHost? host = null;
        app.MapLinkGateway(resolver ?? new DeferredResolver(() => host!));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        host = new GatewayHost(app, address);
        return host;
    }

    /// <summary>Adds a link; returns its token.</summary>
    public string Add(LinkDestination target) => Add(() => target);

    public string Add(Func<LinkDestination> target)
    {
        var token = Guid.NewGuid().ToString("N");
        _links[token] = target;
        return token;
    }

    public void Revoke(string token) => _links.TryRemove(token, out _);

    public Uri RequestUrl(string token, string rest = "") => new(Address, $"/request_ai/{token}/path/{rest}");

    public Uri WebSocketUrl(string token) => new($"ws://{Address.Authority}/websocket_ai/{token}");

    public ValueTask<LinkDestination?> ResolveAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_links.TryGetValue(token, out var target) ? target() : null);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class DeferredResolver(Func<ILinkResolver> resolver) : ILinkResolver
    {
        public ValueTask<LinkDestination?> ResolveAsync(string token, CancellationToken cancellationToken) => resolver().ResolveAsync(token, cancellationToken);
    }
}
