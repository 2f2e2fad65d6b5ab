using System.Globalization;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// The hand-written half of the generated <see cref="IAgentBayRpcApi"/> client: what the runtime of the official
/// SDKs adds to every call (agentbay-rpc.md §1.2–1.3) — <c>Timestamp</c> (UTC, to the second) and a fresh
/// <c>SignatureNonce</c> (32 hex digits) in the query, and a user agent naming this SDK. Calls are anonymous (the key
/// travels in the form), so nothing is signed.
/// </summary>
internal sealed partial class AgentBayRpcApiClient
{
    private readonly TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Creates the client with a clock for the timestamps.</summary>
    /// <param name="httpClient">A client whose base address is the service endpoint root.</param>
    /// <param name="timeProvider">The clock.</param>
    public AgentBayRpcApiClient(HttpClient httpClient, TimeProvider timeProvider)
        : this(httpClient)
    {
        _timeProvider = timeProvider;
    }

    partial void PrepareRequest(HttpRequestMessage request)
    {
        // The generated query always has Action, Format and Version, so the pair is appended with '&'. The colons of
        // the timestamp are escaped as the official runtimes send them.
        Uri generated = request.RequestUri!;
        string timestamp = _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH'%3A'mm'%3A'ss'Z'", CultureInfo.InvariantCulture);
        string stamped = $"{generated.OriginalString}&Timestamp={timestamp}&SignatureNonce={NewNonce()}";

        // Kept relative when it was: HttpClient resolves it against the endpoint (a relative "/?…" read as
        // RelativeOrAbsolute would become a Unix file path).
        request.RequestUri = new Uri(stamped, generated.IsAbsoluteUri ? UriKind.Absolute : UriKind.Relative);
        request.Headers.TryAddWithoutValidation("User-Agent", RpcProtocol.UserAgent);
    }

    /// <summary>
    /// 32 lowercase hex digits from a non-cryptographic generator. The nonce only has to differ between requests: it
    /// guards signed requests against replay, these calls are unsigned, and the official runtimes derive it from the
    /// process id, thread, time and a counter. The operating system's cryptographic generator cost about 2 µs a call.
    /// </summary>
    private static string NewNonce()
    {
        Span<byte> random = stackalloc byte[16];
        Random.Shared.NextBytes(random);
        return Convert.ToHexString(random).ToLowerInvariant();
    }
}
