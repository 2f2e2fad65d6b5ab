using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentBay.Lite.Testing;

/// <summary>
/// A real <c>redis-server</c> on loopback for one test class or benchmark: a free port, a data directory of its own,
/// no persistence (<c>--save ''</c>, no AOF), stopped and its directory deleted on dispose. Ready means it logged
/// "Ready to accept connections" and answered a PING, within a 20 s deadline. .ci/run installs redis-server.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for it.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts a server and waits until it answers.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        string executable = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
        string directory = Directory.CreateTempSubdirectory("agentbay-redis-").FullName;
        int port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", string.Empty, "--appendonly", "no", "--dir", directory, "--daemonize", "no",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; .ci/run does it).", exception);
        }

        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited before it was ready:\n" + Snapshot(output)));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RedisServer(process, directory, port);
        try
        {
            using var deadline = new CancellationTokenSource(StartDeadline);
            await ready.Task.WaitAsync(deadline.Token);
            string pong = await server.SendAsync("PING", deadline.Token);
            if (pong != "+PONG")
            {
                throw new InvalidOperationException($"redis-server answered PING with '{pong}'.");
            }

            return server;
        }
        catch (OperationCanceledException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"redis-server was not ready within {StartDeadline.TotalSeconds} s:\n" + Snapshot(output));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A loopback port nothing listens on (free when asked): where a "down" cache points.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends one inline command and returns the first line of the answer.</summary>
    public async Task<string> SendAsync(string command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(cancellationToken) ?? string.Empty;
    }

    /// <summary>How many keys the server holds (<c>DBSIZE</c>).</summary>
    public async Task<long> CountKeysAsync()
    {
        string answer = await SendAsync("DBSIZE");
        return long.Parse(answer.TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The keys matching <paramref name="pattern"/> (<c>KEYS</c>; fine for a test server's few keys).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"KEYS {pattern}\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string header = await reader.ReadLineAsync() ?? string.Empty;
        if (!header.StartsWith('*'))
        {
            throw new InvalidOperationException($"KEYS answered '{header}'.");
        }

        int count = int.Parse(header.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        var keys = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            _ = await reader.ReadLineAsync(); // $length
            keys.Add(await reader.ReadLineAsync() ?? string.Empty);
        }

        return keys;
    }

    /// <summary>
    /// The bytes an <c>IDistributedCache</c> on Redis stored under <paramref name="key"/> (RedisCache keeps a hash whose
    /// <c>data</c> field is the value: <c>HGET key data</c>), or <see langword="null"/>.
    /// </summary>
    public async Task<byte[]?> GetCachedBytesAsync(string key)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"HGET {key} data\r\n"));

        // "$<length>\r\n<bytes>\r\n", or "$-1\r\n" when absent.
        var header = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) is not -1 and not '\n')
        {
            header.Append((char)b);
        }

        int length = int.Parse(header.ToString().Trim().TrimStart('$'), System.Globalization.CultureInfo.InvariantCulture);
        if (length < 0)
        {
            return null;
        }

        byte[] value = new byte[length];
        await stream.ReadExactlyAsync(value);
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
