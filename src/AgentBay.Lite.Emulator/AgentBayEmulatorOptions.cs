using System.Net;

namespace AgentBay.Lite.Emulator;

/// <summary>Settings for an <see cref="AgentBayEmulator"/>. Every property has a safe default.</summary>
public sealed class AgentBayEmulatorOptions
{
    /// <summary>The default limit for request bodies, 1 MiB: the SDKs send file content in chunks of at most 60 KB, which stay far below it even escaped twice.</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>The default limit on open connections, 1,024.</summary>
    public const int DefaultMaxConnections = 1024;

    /// <summary>The address to listen on. Defaults to <see cref="IPAddress.Loopback"/> (127.0.0.1).</summary>
    /// <remarks>A non-loopback address is refused unless <see cref="AllowRemoteConnections"/> is true.</remarks>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The TCP port to listen on; 0 (the default) picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>Must be true to listen on a non-loopback address. Defaults to false.</summary>
    public bool AllowRemoteConnections { get; set; }

    /// <summary>The API key clients must send (<c>Authorization=Bearer &lt;key&gt;</c>). Null or empty generates a random <c>akm-</c> key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Serve HTTPS with a self-signed certificate for 127.0.0.1, ::1 and localhost generated at start.</summary>
    public bool UseHttps { get; set; }

    /// <summary>When set, the generated certificate is written to this path as PEM (implies <see cref="UseHttps"/>).</summary>
    public string? CertificateOutputPath { get; set; }

    /// <summary>When true, the <c>shell</c> tool answers with a tool error instead of running commands.</summary>
    public bool DisableExec { get; set; }

    /// <summary>
    /// When true, sessions run without sandboxes even where Linux namespaces are available: file tools stay confined to
    /// the session directory and <c>shell</c> is refused unless <see cref="AllowHostExecution"/> is set.
    /// </summary>
    public bool DisableSandbox { get; set; }

    /// <summary>
    /// Accepts running <c>shell</c> commands directly on this machine (as the emulator's user, in the session directory)
    /// when sessions cannot have sandboxes. Off by default: without a sandbox, <c>shell</c> answers with a tool error that
    /// says why. Ignored when sandboxes are available.
    /// </summary>
    public bool AllowHostExecution { get; set; }

    /// <summary>
    /// The Chromium executable browser sessions run (CLI: <c>--chromium</c>). Null looks for Debian's
    /// <c>/usr/bin/chromium</c> and the usual alternatives; a path that does not exist means "no browser".
    /// </summary>
    public string? BrowserExecutable { get; set; }

    /// <summary>The directory under which per-session working directories are created. Null uses a fresh directory under the system temp path, removed on dispose.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Request bodies larger than this get HTTP 413 <c>RequestEntityTooLarge</c>. Defaults to <see cref="DefaultMaxRequestBodyBytes"/>.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>The most connections open at once (WebSockets through links included); further ones wait in the listen queue. Defaults to <see cref="DefaultMaxConnections"/>.</summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>The most live sessions at once; CreateMcpSession beyond it fails with <c>QuotaExceeded.Session</c>. Defaults to 100,000.</summary>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>How many GetLink tokens stay valid per session; older ones are forgotten first. Defaults to 10,000.</summary>
    public int MaxLinksPerSession { get; set; } = 10_000;

    /// <summary>Host (and port) put in GetLink and resource URLs. Null uses the emulator's own address.</summary>
    public string? PublicHost { get; set; }

    /// <summary>Seed for the random choices of fault injection and latency jitter, so a test can repeat a run exactly. Null seeds randomly.</summary>
    public int? Seed { get; set; }

    /// <summary>Latency added to every RPC request, unless <see cref="LatencyByAction"/> has an entry for its action.</summary>
    public LatencyProfile? Latency { get; set; }

    /// <summary>Per-action latency, keyed by action name (e.g. <c>GetLink</c>); overrides <see cref="Latency"/>.</summary>
    public IDictionary<string, LatencyProfile> LatencyByAction { get; } = new Dictionary<string, LatencyProfile>(StringComparer.Ordinal);

    /// <summary>Failures injected into every RPC request, unless <see cref="FaultsByAction"/> has an entry for its action.</summary>
    public FaultProfile? Faults { get; set; }

    /// <summary>Per-action failures, keyed by action name; overrides <see cref="Faults"/>.</summary>
    public IDictionary<string, FaultProfile> FaultsByAction { get; } = new Dictionary<string, FaultProfile>(StringComparer.Ordinal);

    /// <summary>When true, each request is written to standard output (one line). Off by default: it costs throughput.</summary>
    public bool LogRequests { get; set; }

    /// <summary>
    /// The clock behind resource URL expiry (30 minutes after issue). Null uses <see cref="TimeProvider.System"/>;
    /// tests pass their own to move time.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }
}

/// <summary>Latency added before a request is answered: <see cref="Fixed"/> plus a uniform random part in [0, <see cref="Jitter"/>].</summary>
/// <param name="Fixed">The delay every request gets.</param>
/// <param name="Jitter">The upper bound of an extra uniformly random delay.</param>
public sealed record LatencyProfile(TimeSpan Fixed, TimeSpan Jitter = default)
{
    /// <summary>Validates the profile.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A duration is negative or longer than ten minutes.</exception>
    public void Validate()
    {
        if (Fixed < TimeSpan.Zero || Fixed > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(Fixed), Fixed, "Latency must be between 0 and 10 minutes.");
        }

        if (Jitter < TimeSpan.Zero || Jitter > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "Jitter must be between 0 and 10 minutes.");
        }
    }
}

/// <summary>
/// Fractions (0 to 1) of requests that fail in each way. For each request one random draw picks at most one
/// kind, in this order: connection reset, HTTP 500, HTTP 503, throttling, malformed JSON. The rates must sum to at most 1.
/// </summary>
public sealed record FaultProfile
{
    /// <summary>Fraction answered HTTP 500 with code <c>InternalError</c>.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Fraction answered HTTP 503 with code <c>ServiceUnavailable</c>.</summary>
    public double ServiceUnavailableRate { get; init; }

    /// <summary>Fraction answered HTTP 429 with code <c>Throttling</c> and a <c>Retry-After</c> header.</summary>
    public double ThrottlingRate { get; init; }

    /// <summary>The retry-after sent with throttling (whole seconds in the header, rounded up). Defaults to 1 second.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fraction answered HTTP 200 with a truncated, unparseable JSON body.</summary>
    public double MalformedJsonRate { get; init; }

    /// <summary>Fraction whose connection is aborted (reset) without an answer.</summary>
    public double ConnectionResetRate { get; init; }

    /// <summary>When set, the profile stops injecting after this many faults (e.g. "fail the first two calls").</summary>
    public int? MaxFaults { get; init; }

    /// <summary>Validates the profile.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is outside [0, 1], the rates sum above 1, or a limit is negative.</exception>
    public void Validate()
    {
        CheckRate(ServerErrorRate, nameof(ServerErrorRate));
        CheckRate(ServiceUnavailableRate, nameof(ServiceUnavailableRate));
        CheckRate(ThrottlingRate, nameof(ThrottlingRate));
        CheckRate(MalformedJsonRate, nameof(MalformedJsonRate));
        CheckRate(ConnectionResetRate, nameof(ConnectionResetRate));
        var sum = ServerErrorRate + ServiceUnavailableRate + ThrottlingRate + MalformedJsonRate + ConnectionResetRate;
        if (sum > 1.0 + 1e-9)
        {
            throw new ArgumentOutOfRangeException(nameof(ServerErrorRate), sum, "The fault rates must sum to at most 1.");
        }

        if (RetryAfter < TimeSpan.Zero || RetryAfter > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RetryAfter), RetryAfter, "RetryAfter must be between 0 and 1 hour.");
        }

        if (MaxFaults is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFaults), MaxFaults, "MaxFaults must not be negative.");
        }
    }

    private static void CheckRate(double rate, string name)
    {
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(name, rate, "A fault rate must be between 0 and 1.");
        }
    }
}

/// <summary>The kinds of failure the emulator can inject.</summary>
internal enum FaultKind
{
    /// <summary>No fault.</summary>
    None,

    /// <summary>The connection is aborted without an answer.</summary>
    ConnectionReset,

    /// <summary>HTTP 500, code <c>InternalError</c>.</summary>
    ServerError,

    /// <summary>HTTP 503, code <c>ServiceUnavailable</c>.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 429, code <c>Throttling</c>, header <c>Retry-After</c>.</summary>
    Throttling,

    /// <summary>HTTP 200 with a truncated JSON body.</summary>
    MalformedJson,
}
