using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Control;
using AgentBay.Lite.Emulator.Gateway;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.LiveView;
using AgentBay.Lite.Emulator.Agb;
using AgentBay.Lite.Emulator.Rpc;
using AgentBay.Lite.Emulator.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.Emulator;

/// <summary>
/// A local AgentBay server that speaks the AgentBay RPC wire protocol (POP style, <c>POST /?Action=…</c>),
/// for offline development and tests — the way Azurite serves Azure Storage.
/// </summary>
/// <example>
/// <code>
/// await using var emulator = await AgentBayEmulator.StartAsync();
/// Environment.SetEnvironmentVariable("AGENTBAY_ENDPOINT", emulator.HostAndPort);
/// Environment.SetEnvironmentVariable("AGENTBAY_API_KEY", emulator.ApiKey);
/// </code>
/// </example>
public sealed class AgentBayEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorState _state;
    private readonly bool _ownsWorkDirectory;
    private int _disposed;

    private AgentBayEmulator(WebApplication app, EmulatorState state, Uri endpoint, X509Certificate2? certificate, bool ownsWorkDirectory)
    {
        _app = app;
        _state = state;
        Endpoint = endpoint;
        Certificate = certificate;
        _ownsWorkDirectory = ownsWorkDirectory;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234/</c>. RPC requests go to this path (<c>/</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>The endpoint as the SDKs want it (<c>AGENTBAY_ENDPOINT</c>): host and port without a scheme, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string HostAndPort => Endpoint.Authority;

    /// <summary>The API key clients must send as <c>Authorization=Bearer &lt;key&gt;</c>; also guards the control API.</summary>
    public string ApiKey => _state.ApiKey;

    /// <summary>True when serving HTTPS with the generated certificate.</summary>
    public bool IsHttps => Certificate is not null;

    /// <summary>The generated self-signed certificate when serving HTTPS (includes the private key; do not share it), else null.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The generated certificate as PEM (public part only), or null when serving plain HTTP.</summary>
    public string? CertificatePem => Certificate?.ExportCertificatePem();

    /// <summary>The directory holding one working directory per session (named after the session id).</summary>
    public string WorkDirectory => _state.Tools.Root;

    /// <summary>True when every session runs in its own sandbox (Linux namespaces through bubblewrap).</summary>
    public bool IsSandboxed => _state.SandboxUnavailableReason is null;

    /// <summary>Why sessions run without sandboxes (one sentence), or null when they have them.</summary>
    public string? SandboxUnavailableReason => _state.SandboxUnavailableReason;

    /// <summary>The domain service, for in-assembly parts (the link gateway) and tests.</summary>
    internal Sessions.SessionService Sessions => _state.Sessions;

    /// <summary>Why browser sessions have no browser (no Chromium installed, naming the Debian package), or null when they have one.</summary>
    public string? BrowserUnavailableReason => _state.Browsers.IsAvailable ? null : Chromium.MissingMessage;

    /// <summary>The shapes of the link URLs this emulator hands out; their scheme follows the listener's (https/wss or http/ws).</summary>
    public string LinkUrlShapes => IsHttps
        ? "https://HOST/request_ai/{token}/path/ and wss://HOST/websocket_ai/{token}"
        : "http://HOST/request_ai/{token}/path/ and ws://HOST/websocket_ai/{token}";

    /// <summary>How many sessions are live (created and not deleted).</summary>
    public int LiveSessionCount => _state.Sessions.LiveCount;

    /// <summary>Starts an emulator with default options: HTTP on 127.0.0.1, a free port and a random API key.</summary>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static Task<AgentBayEmulator> StartAsync() => StartAsync(new AgentBayEmulatorOptions(), CancellationToken.None);

    /// <summary>Starts an emulator.</summary>
    /// <param name="options">Settings; see <see cref="AgentBayEmulatorOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    /// <exception cref="ArgumentException">The options are invalid (e.g. a non-loopback address without <see cref="AgentBayEmulatorOptions.AllowRemoteConnections"/>).</exception>
    public static async Task<AgentBayEmulator> StartAsync(AgentBayEmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var apiKey = string.IsNullOrEmpty(options.ApiKey)
            ? "akm-emu-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))
            : options.ApiKey;
        var ownsWorkDirectory = string.IsNullOrEmpty(options.WorkDirectory);
        var workRoot = ownsWorkDirectory
            ? Path.Combine(Path.GetTempPath(), "agentbay-emulator-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))
            : Path.GetFullPath(options.WorkDirectory!);
        // Owner-only: session directories hold whatever the sessions' commands write.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(workRoot);
        }
        else
        {
            Directory.CreateDirectory(workRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var state = new EmulatorState(options, apiKey, workRoot);
        var https = options.UseHttps || !string.IsNullOrEmpty(options.CertificateOutputPath);
        var certificate = https ? SelfSignedCertificate.Create([options.Address.ToString(), PublicHostName(options.PublicHost)]) : null;

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AgentBayEmulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // enforced by the handler, which answers with an envelope
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = options.MaxConnections;
            kestrel.Listen(options.Address, options.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        builder.Services.AddRoutingCore();
        builder.Services.AddLinkGateway();
        builder.Services.AddSingleton(_ => new LiveViewEndpoints(state.ResourceTokens, state.Browsers, state.Tools));
        var app = builder.Build();
        var guard = new BrowserRequestGuard([options.PublicHost]);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var refusal = BrowserRequestGuard.IsExempt(path) ? null
                : LiveViewEndpoints.IsLiveViewPath(path) ? guard.CheckHost(context.Request)
                : guard.Check(context.Request);
            if (refusal is not null)
            {
                await BrowserRequestGuard.RefuseAsync(context.Response, refusal);
                return;
            }

            await next(context);
        });
        app.Services.GetRequiredService<LiveViewEndpoints>().Map(app);
        ControlEndpoints.Map(app, state);
        app.MapLinkGateway(new SessionLinkResolver(state.Sessions, state.Browsers));
        Direct.DirectRoutes.Map(app, state);
        AgbEndpoint.Map(app, state);
        RpcEndpoint.Map(app, state);

        try
        {
            await app.StartAsync(cancellationToken);

            // Only once the port is ours: a second start on a busy port must not replace the certificate that
            // clients of the running instance trust.
            if (certificate is not null && !string.IsNullOrEmpty(options.CertificateOutputPath))
            {
                SelfSignedCertificate.WritePem(certificate, options.CertificateOutputPath);
            }
        }
        catch
        {
            await app.DisposeAsync();
            certificate?.Dispose();
            state.Dispose();
            TryDeleteDirectory(workRoot, ownsWorkDirectory);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var scheme = https ? "https" : "http";
        var host = options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{options.Address}]" : options.Address.ToString();
        var endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}/"));
        state.Scheme = scheme;
        state.LinkHost = !string.IsNullOrEmpty(options.PublicHost)
            ? options.PublicHost
            : options.Address.Equals(IPAddress.Any) || options.Address.Equals(IPAddress.IPv6Any) ? null : endpoint.Authority;
        return new AgentBayEmulator(app, state, endpoint, certificate, ownsWorkDirectory);
    }

    /// <summary>Sets (or with null clears) injected latency, for every action or for one action.</summary>
    /// <param name="latency">The latency, or null to clear.</param>
    /// <param name="action">An action name such as <c>GetLink</c>; null for the global setting.</param>
    public void SetLatency(LatencyProfile? latency, string? action = null) => _state.Injector.SetLatency(latency, CheckAction(action));

    /// <summary>Sets (or with null clears) injected failures, for every action or for one action.</summary>
    /// <param name="faults">The failure rates, or null to clear.</param>
    /// <param name="action">An action name such as <c>GetLink</c>; null for the global setting.</param>
    public void SetFaults(FaultProfile? faults, string? action = null) => _state.Injector.SetFaults(faults, CheckAction(action));

    /// <summary>Removes every injected latency and failure.</summary>
    public void ClearInjections() => _state.Injector.Clear();

    /// <summary>Restarts the random generator behind fault decisions and jitter from a seed, for repeatable runs.</summary>
    /// <param name="seed">The seed.</param>
    public void Reseed(int seed) => _state.Injector.Reseed(seed);

    /// <summary>How many RPC requests named this action since start or the last reset (counted on arrival, before auth and fault injection).</summary>
    /// <param name="action">An action name such as <c>GetLink</c>; <c>(unknown)</c> counts requests with a missing or unknown action.</param>
    /// <returns>The count.</returns>
    public long GetRequestCount(string action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return _state.Counters.Get(action);
    }

    /// <summary>A snapshot of the non-zero per-action request counters.</summary>
    /// <returns>Counts keyed by action name.</returns>
    public IReadOnlyDictionary<string, long> GetRequestCounts() => _state.Counters.Snapshot();

    /// <summary>Sets every request counter back to zero.</summary>
    public void ResetRequestCounts() => _state.Counters.Reset();

    /// <summary>Finds the session a GetLink/GetCdpLink token was issued for.</summary>
    /// <param name="token">The token from a link URL.</param>
    /// <returns>The session id, or null when no live link has this token.</returns>
    public string? ResolveLinkToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _state.Sessions.ResolveLink(token)?.Session.Id;
    }

    /// <summary>Stops the server and removes the per-session working directories.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            Certificate?.Dispose();
            await _state.Sessions.EndAllAsync();
            await _state.Browsers.DisposeAsync();
            if (!_ownsWorkDirectory)
            {
                TryDeleteDirectory(Path.Combine(_state.Tools.Root, ".io"), true);
            }

            _state.Dispose();
            TryDeleteDirectory(_state.Tools.Root, _ownsWorkDirectory);
        }
    }

    private static string PublicHostName(string? publicHost)
    {
        if (string.IsNullOrEmpty(publicHost))
        {
            return string.Empty;
        }

        return Uri.TryCreate("https://" + publicHost, UriKind.Absolute, out var uri) ? uri.Host : publicHost;
    }

    private static string? CheckAction(string? action)
    {
        if (action is not null && RpcActionNames.FindOperation(action) is null)
        {
            throw new ArgumentException($"Unknown action \"{action}\". Known: {string.Join(", ", RpcActionNames.Operations)}.", nameof(action));
        }

        return action;
    }

    private static void Validate(AgentBayEmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Address, nameof(options.Address));
        if (options.Address.IsIPv4MappedToIPv6)
        {
            throw new ArgumentException($"Refusing to listen on {options.Address}: an IPv4-mapped IPv6 address cannot be bound; use {options.Address.MapToIPv4()} instead.", nameof(options));
        }

        if (!IPAddress.IsLoopback(options.Address) && !options.AllowRemoteConnections)
        {
            throw new ArgumentException($"Refusing to listen on {options.Address}: it is not a loopback address. Set AllowRemoteConnections (CLI: --allow-remote) to listen elsewhere.", nameof(options));
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException("Port must be between 0 and 65535.", nameof(options));
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            throw new ArgumentException("MaxRequestBodyBytes must be at least 1024.", nameof(options));
        }

        if (options.MaxConnections < 1)
        {
            throw new ArgumentException("MaxConnections must be positive.", nameof(options));
        }

        if (options.MaxSessions < 1 || options.MaxLinksPerSession < 1)
        {
            throw new ArgumentException("MaxSessions and MaxLinksPerSession must be positive.", nameof(options));
        }

        options.Latency?.Validate();
        options.Faults?.Validate();
        foreach (var (action, profile) in options.LatencyByAction)
        {
            CheckAction(action);
            profile.Validate();
        }

        foreach (var (action, profile) in options.FaultsByAction)
        {
            CheckAction(action);
            profile.Validate();
        }
    }

    private static void TryDeleteDirectory(string path, bool enabled)
    {
        if (!enabled)
        {
            return;
        }

        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
