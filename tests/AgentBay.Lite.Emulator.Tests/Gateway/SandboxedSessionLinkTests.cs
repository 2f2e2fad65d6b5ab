using System.Globalization;
using System.Net;
using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Gateway;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Tools;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>
/// The emulator's own resolver (session service + browsers) for a session whose <see cref="EmulatedSession.NamespacePid"/>
/// names a real namespace, as a sandboxed session's does: its links lead into that namespace, its browser runs there.
/// </summary>
public sealed class SandboxedSessionLinkTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IAsyncLifetime, IDisposable
{
    // A link-range port: the namespace has a loopback of its own, so nothing on the host can take it.
    private const int SandboxPort = 30150;

    private readonly string _root = Directory.CreateTempSubdirectory("agentbay-resolver-test-").FullName;
    private ToolRunner _tools = null!;
    private SessionService _sessions = null!;
    private BrowserService _browsers = null!;
    private GatewayHost _gateway = null!;
    private System.Diagnostics.Process? _server;

    public async Task InitializeAsync()
    {
        _tools = new ToolRunner(_root, ExecutionMode.Disabled, sandboxUnavailableReason: "this test brings its own namespace");
        _sessions = new SessionService(new SessionStore(10, 100), _tools, 10, sandboxLauncher: null);
        _browsers = new BrowserService(_sessions, new SessionBrowsers(Chromium.Find()));
        _gateway = await GatewayHost.StartAsync(new SessionLinkResolver(_sessions, _browsers));
        _server = await fixture.Namespace.RunServiceAsync(ServiceProcess.Python, ServiceProcess.Script("http_server.py"), SandboxPort.ToString(CultureInfo.InvariantCulture), "sandboxed");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sessions.EndAllAsync();
        await _browsers.DisposeAsync();
        ServiceProcess.Stop(_server);
        Directory.Delete(_root, recursive: true);
    }

    public void Dispose() => _tools.Dispose();

    [Fact]
    public async Task HttpsLink_OfASandboxedSession_LeadsIntoItsNamespace_AndIsUnknownOnceTheSessionIsDeleted()
    {
        var session = await CreateAsync("linux_latest");
        var link = Issue(session, "https", SandboxPort);
        using var http = new HttpClient();

        var page = await http.GetStringAsync(_gateway.RequestUrl(link.Token));
        Assert.Contains("<title>sandboxed</title>", page, StringComparison.Ordinal);

        Assert.True(await _sessions.DeleteAsync(session.Id));
        using var after = await http.GetAsync(_gateway.RequestUrl(link.Token));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task CdpLink_OfASandboxedBrowserSession_StartsItsBrowserInsideItsNamespace()
    {
        Assert.True(_browsers.IsAvailable, Chromium.MissingMessage);
        var session = await CreateAsync("browser_latest");
        var link = _sessions.IssueCdpLink(session.Id).Succeeded(out var grant, out var error) ? grant : throw new InvalidOperationException(error!.Message);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await using (var cdp = await CdpClient.ConnectAsync(_gateway.WebSocketUrl(link.Token), cts.Token))
        {
            Assert.Equal("sandboxed", await cdp.OpenAndReadTitleAsync($"http://127.0.0.1:{SandboxPort.ToString(CultureInfo.InvariantCulture)}/", cts.Token));
        }

        var browser = (await _browsers.GetOrStartAsync(session.Id, cts.Token)).Value!;
        Assert.True(await _sessions.DeleteAsync(session.Id));
        await browser.WaitForExitAsync(cts.Token);
        Assert.True(browser.HasExited);
    }

    private async Task<EmulatedSession> CreateAsync(string imageId)
    {
        var session = (await _sessions.CreateAsync(imageId, EmulatedSession.EmptyLabels, CancellationToken.None)).Value!;
        session.NamespacePid = fixture.Namespace.Pid;
        return session;
    }

    private LinkGrant Issue(EmulatedSession session, string protocol, int port) =>
        _sessions.IssueLink(session.Id, protocol, port).Succeeded(out var grant, out var error) ? grant : throw new InvalidOperationException(error!.Message);
}
