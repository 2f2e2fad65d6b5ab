using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace AgentBay.Lite.Emulator;

/// <summary>The standalone emulator: <c>dotnet run --project src/AgentBay.Lite.Emulator -- --port 8910 --api-key akm-local</c>.</summary>
internal static class Program
{
    internal const string Usage = """
        AgentBay emulator: a local server speaking the AgentBay (wuyingai 2025-05-06) RPC protocol.

        Usage: AgentBay.Lite.Emulator [options]

        Listening
          --port <n>                 TCP port (default 8910; 0 picks a free port)
          --host <address>           IP address to bind (default 127.0.0.1)
          --allow-remote             required to bind a non-loopback address
          --public-host <host:port>  host put into link/resource URLs (default: the bound address)
          --api-key <key>            API key clients must send (default: a new random key each start, printed)
          --https                    serve HTTPS with a self-signed certificate for 127.0.0.1/localhost
          --cert-out <file>          write that certificate as PEM to <file> (implies --https)

        Behaviour
          --no-exec                  the shell tool answers with an error instead of running commands
          --no-sandbox               run sessions without sandboxes (files stay in the session directory; shell is refused)
          --unsafe-host-exec         without sandboxes, let shell run commands directly on this machine
          --work-dir <dir>           where per-session working directories live (default: a temp dir)
          --chromium <path>          the Chromium browser sessions run (default: /usr/bin/chromium, Debian package chromium)
          --max-body-bytes <n>       larger request bodies get HTTP 413 (default 1048576)
          --max-connections <n>      open connections at once (default 1024)
          --max-sessions <n>         live-session quota (default 100000)
          --log-requests             print one line per RPC request

        Latency and faults (rates are fractions 0..1 of RPC requests)
          --latency <ms>[:<jitter>]            added to every request
          --action-latency <Action>=<ms>[:<jitter>]   per action; repeatable
          --fail-500 <rate>                    HTTP 500 InternalError
          --fail-503 <rate>                    HTTP 503 ServiceUnavailable
          --throttle <rate>                    HTTP 429 Throttling with Retry-After
          --retry-after <seconds>              Retry-After for throttling (default 1)
          --malformed-json <rate>              HTTP 200 with a truncated JSON body
          --reset <rate>                       abort the connection
          --max-faults <n>                     stop injecting after n faults
          --fault-action <Action>              apply the fault flags to this action only; repeatable
          --seed <n>                           seed the fault/jitter random generator

          -h, --help                 show this help
          --version                  show the version

        Control API (header "Authorization: Bearer <key>"): GET|DELETE /_emulator/counters,
        GET|PUT|DELETE /_emulator/faults, GET|PUT|DELETE /_emulator/latency, GET /_emulator/links/{token},
        GET /_emulator/status, GET /_emulator/memory, POST /_emulator/memory/collect.
        """;

    private static async Task<int> Main(string[] args)
    {
        AgentBayEmulatorOptions options;
        try
        {
            var parsed = CommandLine.Parse(args);
            if (parsed.ShowHelp)
            {
                Console.WriteLine(Usage);
                return 0;
            }

            if (parsed.ShowVersion)
            {
                Console.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
                return 0;
            }

            options = parsed.Options;
        }
        catch (CommandLineException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            await Console.Error.WriteLineAsync("Run with --help to list the options.");
            return 2;
        }

        AgentBayEmulator emulator;
        try
        {
            emulator = await AgentBayEmulator.StartAsync(options, CancellationToken.None);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            // One line, no stack trace: a bad option is the user's to fix (2); a busy port or an unwritable path is the machine's (1).
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ex is ArgumentException ? 2 : 1;
        }

        await using (emulator)
        {
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                stop.Cancel();
            });

            PrintBanner(emulator, options);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Stopping.");
            }
        }

        return 0;
    }

    private static void PrintBanner(AgentBayEmulator emulator, AgentBayEmulatorOptions options)
    {
        Console.WriteLine($"AgentBay emulator listening on {emulator.Endpoint}");
        Console.WriteLine($"API key: {emulator.ApiKey}");
        Console.WriteLine();
        Console.WriteLine("Point an SDK at it:");
        Console.WriteLine($"  export AGENTBAY_ENDPOINT={emulator.HostAndPort}");
        Console.WriteLine($"  export AGENTBAY_API_KEY={emulator.ApiKey}");
        if (emulator.IsHttps)
        {
            if (!string.IsNullOrEmpty(options.CertificateOutputPath))
            {
                var pem = Path.GetFullPath(options.CertificateOutputPath);
                Console.WriteLine($"  Trust the certificate {pem}:");
                Console.WriteLine($"    Node/TypeScript: NODE_EXTRA_CA_CERTS={pem}");
                Console.WriteLine($"    Python: SSL_CERT_FILE={pem} REQUESTS_CA_BUNDLE={pem}");
                Console.WriteLine($"    Go: SSL_CERT_FILE={pem}   Java: keytool -importcert -file {pem}");
            }
            else
            {
                Console.WriteLine("  (HTTPS with a generated certificate; add --cert-out <file> to get its PEM for your client's trust store)");
            }
        }
        else
        {
            Console.WriteLine("  Note: the official SDKs speak HTTPS only; start with --https --cert-out emulator.pem for them,");
            Console.WriteLine("  or switch their inner client to HTTP (see observed-client.md). AgentBay.Lite accepts http:// endpoints.");
        }

        if (emulator.SandboxUnavailableReason is { } why)
        {
            Console.WriteLine(options.AllowHostExecution && !options.DisableExec
                ? $"Sessions run WITHOUT sandboxes ({why}): shell commands run directly on this machine (--unsafe-host-exec)."
                : $"Sessions run without sandboxes ({why}): the shell tool is off; file tools reach only each session's directory.");
        }
        else
        {
            Console.WriteLine("Each session runs in its own sandbox (bubblewrap: mount, PID, network, UTS namespaces).");
        }

        if (options.DisableExec)
        {
            Console.WriteLine("The shell tool is disabled (--no-exec).");
        }

        Console.WriteLine(emulator.BrowserUnavailableReason ?? "Browser sessions run headless Chromium; links: " + emulator.LinkUrlShapes);

        Console.WriteLine($"Control API: {emulator.Endpoint}_emulator/counters (header: Authorization: Bearer {emulator.ApiKey})");
        Console.WriteLine("Press Ctrl+C to stop.");
    }
}

/// <summary>A command-line error (exit code 2).</summary>
internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>The parsed command line.</summary>
internal sealed record ParsedCommandLine(AgentBayEmulatorOptions Options, bool ShowHelp, bool ShowVersion);

/// <summary>A hand-written parser for the emulator's flags.</summary>
internal static class CommandLine
{
    public static ParsedCommandLine Parse(IReadOnlyList<string> args)
    {
        var options = new AgentBayEmulatorOptions { Port = 8910 };
        bool help = false, version = false;
        double? fail500 = null, fail503 = null, throttle = null, malformed = null, reset = null;
        double? retryAfter = null;
        int? maxFaults = null;
        var faultActions = new List<string>();

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    help = true;
                    break;
                case "--version":
                    version = true;
                    break;
                case "--port":
                    options.Port = Int(arg, Value(), 0, 65535);
                    break;
                case "--host":
                    var hostText = Value();
                    options.Address = hostText == "localhost" ? IPAddress.Loopback
                        : IPAddress.TryParse(hostText, out var ip) ? ip
                        : throw new CommandLineException($"--host must be an IP address (or localhost), not \"{hostText}\".");
                    if (options.Address.IsIPv4MappedToIPv6)
                    {
                        throw new CommandLineException($"--host {hostText} is an IPv4-mapped IPv6 address, which cannot be bound; use --host {options.Address.MapToIPv4()}.");
                    }

                    break;
                case "--allow-remote":
                    options.AllowRemoteConnections = true;
                    break;
                case "--public-host":
                    options.PublicHost = Value();
                    break;
                case "--api-key":
                    options.ApiKey = Value();
                    if (options.ApiKey.Length == 0 || options.ApiKey.Any(char.IsWhiteSpace))
                    {
                        throw new CommandLineException("--api-key must be non-empty and contain no whitespace.");
                    }

                    break;
                case "--https":
                    options.UseHttps = true;
                    break;
                case "--cert-out":
                    options.CertificateOutputPath = Value();
                    options.UseHttps = true;
                    break;
                case "--no-exec":
                    options.DisableExec = true;
                    break;
                case "--no-sandbox":
                    options.DisableSandbox = true;
                    break;
                case "--unsafe-host-exec":
                    options.AllowHostExecution = true;
                    break;
                case "--work-dir":
                    options.WorkDirectory = Value();
                    break;
                case "--chromium":
                    options.BrowserExecutable = Value();
                    break;
                case "--max-body-bytes":
                    options.MaxRequestBodyBytes = Int(arg, Value(), 1024, int.MaxValue);
                    break;
                case "--max-connections":
                    options.MaxConnections = Int(arg, Value(), 1, int.MaxValue);
                    break;
                case "--max-sessions":
                    options.MaxSessions = Int(arg, Value(), 1, int.MaxValue);
                    break;
                case "--log-requests":
                    options.LogRequests = true;
                    break;
                case "--latency":
                    options.Latency = Latency(arg, Value());
                    break;
                case "--action-latency":
                    var spec = Value();
                    var sep = spec.IndexOf('=', StringComparison.Ordinal);
                    if (sep <= 0)
                    {
                        throw new CommandLineException("--action-latency takes <Action>=<ms>[:<jitter-ms>], e.g. GetLink=50:10.");
                    }

                    options.LatencyByAction[KnownAction(arg, spec[..sep])] = Latency(arg, spec[(sep + 1)..]);
                    break;
                case "--fail-500":
                    fail500 = Rate(arg, Value());
                    break;
                case "--fail-503":
                    fail503 = Rate(arg, Value());
                    break;
                case "--throttle":
                    throttle = Rate(arg, Value());
                    break;
                case "--retry-after":
                    retryAfter = Double(arg, Value(), 0, 3600);
                    break;
                case "--malformed-json":
                    malformed = Rate(arg, Value());
                    break;
                case "--reset":
                    reset = Rate(arg, Value());
                    break;
                case "--max-faults":
                    maxFaults = Int(arg, Value(), 0, int.MaxValue);
                    break;
                case "--fault-action":
                    faultActions.Add(KnownAction(arg, Value()));
                    break;
                case "--seed":
                    options.Seed = Int(arg, Value(), int.MinValue, int.MaxValue);
                    break;
                default:
                    throw new CommandLineException($"unknown option \"{args[i]}\".");
            }

            if (inline is not null && arg is "--allow-remote" or "--https" or "--no-exec" or "--no-sandbox" or "--unsafe-host-exec" or "--log-requests" or "--help" or "--version" or "-h" or "-?")
            {
                throw new CommandLineException($"{arg} takes no value.");
            }
        }

        if ((fail500 ?? fail503 ?? throttle ?? malformed ?? reset ?? retryAfter ?? maxFaults) is not null)
        {
            var profile = new FaultProfile
            {
                ServerErrorRate = fail500 ?? 0,
                ServiceUnavailableRate = fail503 ?? 0,
                ThrottlingRate = throttle ?? 0,
                MalformedJsonRate = malformed ?? 0,
                ConnectionResetRate = reset ?? 0,
                RetryAfter = TimeSpan.FromSeconds(retryAfter ?? 1),
                MaxFaults = maxFaults,
            };
            try
            {
                profile.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CommandLineException(ex.Message);
            }

            if (faultActions.Count == 0)
            {
                options.Faults = profile;
            }
            else
            {
                foreach (var action in faultActions)
                {
                    options.FaultsByAction[action] = profile;
                }
            }
        }
        else if (faultActions.Count > 0)
        {
            throw new CommandLineException("--fault-action needs at least one fault flag (--fail-500, --fail-503, --throttle, --malformed-json, --reset).");
        }

        if (options.Address is not null && !IPAddress.IsLoopback(options.Address) && !options.AllowRemoteConnections)
        {
            throw new CommandLineException($"--host {options.Address} is not a loopback address; add --allow-remote to listen on it.");
        }

        return new ParsedCommandLine(options, help, version);
    }

    private static string KnownAction(string flag, string action)
    {
        if (Rpc.RpcActionNames.FindOperation(action) is null)
        {
            throw new CommandLineException($"{flag}: unknown action \"{action}\". Known: {string.Join(", ", Rpc.RpcActionNames.Operations)}.");
        }

        return action;
    }

    private static LatencyProfile Latency(string flag, string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var fixedMs = Double(flag, colon < 0 ? text : text[..colon], 0, 600_000);
        var jitterMs = colon < 0 ? 0 : Double(flag, text[(colon + 1)..], 0, 600_000);
        return new LatencyProfile(TimeSpan.FromMilliseconds(fixedMs), TimeSpan.FromMilliseconds(jitterMs));
    }

    private static int Int(string flag, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new CommandLineException($"{flag} must be an integer from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not \"{text}\".");
        }

        return n;
    }

    private static double Double(string flag, string text, double min, double max)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || double.IsNaN(d) || d < min || d > max)
        {
            throw new CommandLineException($"{flag} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not \"{text}\".");
        }

        return d;
    }

    private static double Rate(string flag, string text) => Double(flag, text, 0, 1);
}
