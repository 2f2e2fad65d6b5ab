using System.Diagnostics;
using System.Globalization;
using AgentBay.Lite.Emulator.Gateway;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>
/// A namespace with an HTTP service ("inside") and a WebSocket echo service, a host HTTP service ("host") on the
/// same port as the namespace's one, and the gateway in front.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private Process? _insideHttp;
    private Process? _insideWs;
    private Process? _hostHttp;

    internal TestNamespace Namespace { get; private set; } = null!;

    internal GatewayHost Gateway { get; private set; } = null!;

    /// <summary>The port both the namespace's and the host's HTTP service listen on.</summary>
    public int HttpPort { get; private set; }

    /// <summary>The WebSocket echo service's port inside the namespace (nothing listens there on the host).</summary>
    public int WsPort { get; private set; }

    public async Task InitializeAsync()
    {
        HttpPort = ServiceProcess.FreePort();
        WsPort = ServiceProcess.FreePort();
        Namespace = await TestNamespace.StartAsync();
        var port = HttpPort.ToString(CultureInfo.InvariantCulture);
        _insideHttp = await Namespace.RunServiceAsync(ServiceProcess.Python, ServiceProcess.Script("http_server.py"), port, "inside");
        _insideWs = await Namespace.RunServiceAsync(ServiceProcess.Python, ServiceProcess.Script("ws_echo_server.py"), WsPort.ToString(CultureInfo.InvariantCulture));
        _hostHttp = await ServiceProcess.StartAsync(ServiceProcess.Python, [ServiceProcess.Script("http_server.py"), port, "host"]);
        Gateway = await GatewayHost.StartAsync();
    }

    internal LinkDestination Target(LinkKind kind, int port, CancellationToken ended = default) =>
        new("session-test" + Guid.NewGuid().ToString("N")[..8], kind, port, Namespace.Pid, ended);

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        ServiceProcess.Stop(_hostHttp);
        await Namespace.DisposeAsync();
        ServiceProcess.Stop(_insideHttp);
        ServiceProcess.Stop(_insideWs);
    }
}
