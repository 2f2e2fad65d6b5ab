using System.Globalization;
using System.Security.Cryptography;

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
        // The generated query always has Action, Format and Version, so the per-call pair is appended with '&'.
        var timestamp = _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetHexString(32, lowercase: true);
        request.RequestUri = new Uri(
            string.Concat(request.RequestUri!.OriginalString, "&Timestamp=", Uri.EscapeDataString(timestamp), "&SignatureNonce=", nonce),
            UriKind.RelativeOrAbsolute);
        request.Headers.TryAddWithoutValidation("User-Agent", RpcProtocol.UserAgent);
    }
}
