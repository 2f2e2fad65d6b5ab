using System.Buffers.Binary;
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
    private EscapedTimestamp? _timestamp;
    private Origin? _origin;

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
        string pathAndQuery = request.RequestUri!.OriginalString;
        string timestamp = EscapedTimestampNow();
        string nonce = NewNonce();

        // Made absolute here, in one string and one parse. Left relative, a path starting with '/' is first parsed as a
        // Unix file path and then resolved against the base address again by HttpClient. Every route of this
        // interface is root-relative, so the base address's origin is all it takes.
        request.RequestUri = __httpClient.BaseAddress is { } baseAddress
            ? new Uri(string.Concat([OriginOf(baseAddress), pathAndQuery, "&Timestamp=", timestamp, "&SignatureNonce=", nonce]), UriKind.Absolute)
            : new Uri(string.Concat(pathAndQuery, "&Timestamp=", timestamp, "&SignatureNonce=", nonce), UriKind.Relative);
        request.Headers.TryAddWithoutValidation("User-Agent", RpcProtocol.UserAgent);
    }

    /// <summary>The scheme, host and port of <paramref name="baseAddress"/>, computed once per base address.</summary>
    private string OriginOf(Uri baseAddress)
    {
        Origin? cached = Volatile.Read(ref _origin);
        if (!ReferenceEquals(cached?.BaseAddress, baseAddress))
        {
            cached = new Origin(baseAddress, baseAddress.GetLeftPart(UriPartial.Authority));
            Volatile.Write(ref _origin, cached);
        }

        return cached.Text;
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
        var state = (High: BinaryPrimitives.ReadUInt64BigEndian(random), Low: BinaryPrimitives.ReadUInt64BigEndian(random[8..]));
        return string.Create(32, state, static (chars, value) =>
        {
            for (int i = 0; i < 16; i++)
            {
                chars[15 - i] = HexDigit((int)(value.High >> (4 * i)) & 0xF);
                chars[31 - i] = HexDigit((int)(value.Low >> (4 * i)) & 0xF);
            }
        });
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    /// <summary>The current UTC second as the query carries it (colons escaped); formatted once per second, not per call.</summary>
    private string EscapedTimestampNow()
    {
        DateTime now = _timeProvider.GetUtcNow().UtcDateTime;
        long second = now.Ticks / TimeSpan.TicksPerSecond;
        EscapedTimestamp? cached = Volatile.Read(ref _timestamp);
        if (cached?.Second != second)
        {
            cached = new EscapedTimestamp(second, now.ToString("yyyy-MM-dd'T'HH'%3A'mm'%3A'ss'Z'", CultureInfo.InvariantCulture));
            Volatile.Write(ref _timestamp, cached);
        }

        return cached.Text;
    }

    /// <summary>A formatted timestamp and the second it names; replaced whole, so concurrent callers never see a torn pair.</summary>
    private sealed record EscapedTimestamp(long Second, string Text);

    /// <summary>A base address and its origin text, replaced whole like <see cref="EscapedTimestamp"/>.</summary>
    private sealed record Origin(Uri BaseAddress, string Text);
}
