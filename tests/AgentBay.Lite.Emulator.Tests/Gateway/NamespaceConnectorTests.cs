using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AgentBay.Lite.Emulator.Gateway;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>The connector that reaches a port on a session's own loopback.</summary>
public sealed class NamespaceConnectorTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task APortOnlyTheHostListensOn_IsRefusedInsideTheNamespace_AndReachedOnTheHost()
    {
        using var hostOnly = new TcpListener(IPAddress.Loopback, 0);
        hostOnly.Start();
        var port = ((IPEndPoint)hostOnly.LocalEndpoint).Port;
        using var connector = new NamespaceConnector();

        var refused = await Assert.ThrowsAsync<LinkConnectException>(async () => await connector.ConnectAsync(fixture.Namespace.Pid, port, CancellationToken.None));
        using var onHost = await connector.ConnectAsync(null, port, CancellationToken.None);

        Assert.Equal(LinkConnectFailure.NothingListening, refused.Failure);
        Assert.Equal(port, refused.Port);
        Assert.True(onHost.Connected);
    }

    [Fact]
    public async Task ManyConcurrentConnectsIntoTheNamespace_LeaveEveryThreadOfThisProcessInTheHostNamespace()
    {
        var host = new FileInfo("/proc/self/ns/net").LinkTarget;
        Assert.StartsWith("net:[", host, StringComparison.Ordinal);
        using var connector = new NamespaceConnector();

        var sockets = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => connector.ConnectAsync(fixture.Namespace.Pid, fixture.HttpPort, CancellationToken.None).AsTask()));
        try
        {
            Assert.All(sockets, s => Assert.True(s.Connected));
            foreach (var task in Directory.GetDirectories("/proc/self/task"))
            {
                var link = new FileInfo(Path.Combine(task, "ns", "net")).LinkTarget;
                if (link is not null)
                {
                    Assert.Equal(host, link);
                }
            }

            Assert.NotEqual(host, new FileInfo($"/proc/{fixture.Namespace.Pid}/ns/net").LinkTarget);
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Dispose();
            }
        }
    }

    [Fact]
    public async Task AProcessThatHasExited_IsASessionThatEnded()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        var pid = gone.Id;
        using var connector = new NamespaceConnector();

        var error = await Assert.ThrowsAsync<LinkConnectException>(async () => await connector.ConnectAsync(pid, fixture.HttpPort, CancellationToken.None));

        Assert.Equal(LinkConnectFailure.SessionEnded, error.Failure);
        Assert.False(Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)), "the PID was reused; rerun");
    }
}
