using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>
/// A real sandbox made the way the emulator makes them: new network, PID and mount namespaces (as root) with
/// <c>lo</c> up and a private /tmp. Disposing kills its PID 1, which takes every process inside with it.
/// </summary>
internal sealed class TestNamespace : IAsyncDisposable
{
    private readonly Process _unshare;

    private TestNamespace(Process unshare, int pid)
    {
        _unshare = unshare;
        Pid = pid;
    }

    /// <summary>The host PID of the namespace's PID 1.</summary>
    public int Pid { get; }

    public static async Task<TestNamespace> StartAsync()
    {
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--net", "--pid", "--mount", "--fork", "--mount-proc", "--kill-child", "--", "/bin/sh", "-c",
                     "ip link set lo up && mount -t tmpfs -o size=256m,mode=1777 tmpfs /tmp && echo READY && exec sleep infinity" })
        {
            start.ArgumentList.Add(a);
        }

        var unshare = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await unshare.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "READY")
        {
            Assert.Fail("the namespace did not start: " + line + " " + await unshare.StandardError.ReadToEndAsync(timeout.Token));
        }

        var children = await File.ReadAllTextAsync($"/proc/{unshare.Id}/task/{unshare.Id}/children", timeout.Token);
        var pid = int.Parse(children.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        return new TestNamespace(unshare, pid);
    }

    /// <summary>Starts a program inside the namespace (all its namespaces) and waits for its READY line.</summary>
    public Task<Process> RunServiceAsync(string program, params string[] arguments) =>
        ServiceProcess.StartAsync("nsenter", ["--target", Pid.ToString(CultureInfo.InvariantCulture), "--all", "--", program, .. arguments]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            Process.GetProcessById(Pid).Kill();
        }
        catch (ArgumentException)
        {
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _unshare.WaitForExitAsync(timeout.Token);
        _unshare.Dispose();
    }
}

/// <summary>Test services: the Python servers in Gateway/servers, on the host or in a namespace.</summary>
internal static class ServiceProcess
{
    /// <summary>Debian's Python, which has python3-websockets (the pyenv one on PATH does not).</summary>
    public const string Python = "/usr/bin/python3";

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Gateway", "servers", name);

    /// <summary>Starts a process and waits until it prints READY; fails with its stderr if it exits first.</summary>
    public static async Task<Process> StartAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "READY")
        {
            var error = await process.StandardError.ReadToEndAsync(timeout.Token);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not start: {line} {error}");
        }

        return process;
    }

    public static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    /// <summary>A TCP port free on the host's loopback right now (a fresh namespace has every port free).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
