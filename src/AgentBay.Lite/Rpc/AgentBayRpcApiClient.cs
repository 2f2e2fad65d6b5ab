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
    private const string TimestampField = "&Timestamp=";
    private const string NonceField = "&SignatureNonce=";

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
        // Made absolute here, in one string and one parse. Left relative, a path starting with '/' is first parsed as a
        // Unix file path and then resolved against the base address again by HttpClient. Every route of this
        // interface is root-relative, so the base address's origin is all it takes.
        Uri? baseAddress = __httpClient.BaseAddress;
        string uri = WithTimestampAndNonce(baseAddress is null ? string.Empty : OriginOf(baseAddress), request.RequestUri!.OriginalString, EscapedTimestampNow());
        request.RequestUri = new Uri(uri, baseAddress is null ? UriKind.Relative : UriKind.Absolute);
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
    /// <paramref name="origin"/> and <paramref name="pathAndQuery"/> followed by the per-call pair: the timestamp and a
    /// <c>SignatureNonce</c> of 32 lowercase hex digits from a non-cryptographic generator. The nonce only has to
    /// differ between requests: it guards signed requests against replay, these calls are unsigned, and the official
    /// runtimes derive it from the process id, thread, time and a counter. The operating system's cryptographic
    /// generator cost about 2 µs a call.
    /// </summary>
    private static string WithTimestampAndNonce(string origin, string pathAndQuery, string escapedTimestamp)
    {
        Span<byte> random = stackalloc byte[16];
        Random.Shared.NextBytes(random);
        var parts = (origin, pathAndQuery, escapedTimestamp, High: BinaryPrimitives.ReadUInt64LittleEndian(random), Low: BinaryPrimitives.ReadUInt64LittleEndian(random[8..]));

        // The generated query always has Action, Format and Version, so the pair is appended with '&'.
        int length = origin.Length + pathAndQuery.Length + TimestampField.Length + escapedTimestamp.Length + NonceField.Length + 32;
        return string.Create(length, parts, static (chars, parts) =>
        {
            int at = 0;
            foreach (string text in (ReadOnlySpan<string>)[parts.origin, parts.pathAndQuery, TimestampField, parts.escapedTimestamp, NonceField])
            {
                text.CopyTo(chars[at..]);
                at += text.Length;
            }

            WriteHex(parts.High, chars.Slice(at, 16));
            WriteHex(parts.Low, chars.Slice(at + 16, 16));
        });
    }

    /// <summary>
    /// Writes <paramref name="value"/> as lowercase hex digits filling <paramref name="digits"/>. Written out because
    /// <c>ulong.TryFormat(…, "x16", …)</c> takes the formatter's general path, which showed in fan-out profiles.
    /// </summary>
    private static void WriteHex(ulong value, Span<char> digits)
    {
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = "0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }

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
