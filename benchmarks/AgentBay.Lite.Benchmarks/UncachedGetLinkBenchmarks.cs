using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AgentBay.Lite.Rpc;
using BenchmarkDotNet.Attributes;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Target 2: one uncached <c>GetLinkAsync</c> through the whole SDK (options, timeout, RPC backend, generated client,
/// form writer, HTTP runtime, envelope reader) against a hand-written baseline that a competent engineer would write
/// for the same call: a plain <see cref="HttpClient"/>, the form body concatenated by hand with the same fields, the
/// same query string and headers, and System.Text.Json source generation for the answer. Both send through one
/// <see cref="InMemoryGetLinkHandler"/>; <see cref="Setup"/> proves the two requests are identical (up to the
/// per-request <c>Timestamp</c> and random <c>SignatureNonce</c> the protocol demands).
/// </summary>
[MemoryDiagnoser]
public partial class UncachedGetLinkBenchmarks : IDisposable
{
    private const string ApiKey = "akm-bench";
    private const string SessionId = "session-04bdwfj7u688ec96t";
    private const int Port = 30150;
    private static readonly Uri Endpoint = new("http://127.0.0.1:8910/");
    private static readonly LinkRequest Request = LinkRequest.Https(Port);

    private InMemoryGetLinkHandler _handler = null!;
    private AgentBayClient _client = null!;
    private HttpClient _http = null!;
    private string _authorization = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _handler = new InMemoryGetLinkHandler();
        _client = new AgentBayClient(new AgentBayOptions
        {
            ApiKey = ApiKey,
            Endpoint = Endpoint,
            HttpMessageHandler = _handler,
            LinkCache = { Enabled = false },
        });

        // What anyone writes: one shared HttpClient on the handler, with its default 100 s timeout (the SDK applies
        // its own 60 s limit per call instead).
        _http = new HttpClient(_handler, disposeHandler: false) { BaseAddress = Endpoint };
        _authorization = "Bearer " + ApiKey;

        _handler.CaptureNext = true;
        var ours = await Sdk_GetLink_Uncached();
        var sdkRequest = _handler.Captured!;
        _handler.CaptureNext = true;
        var theirs = await HandWritten_GetLink();
        var baselineRequest = _handler.Captured!;

        if (Normalize(sdkRequest) != Normalize(baselineRequest))
        {
            throw new InvalidOperationException($"The two requests differ.\n--- SDK ---\n{sdkRequest}\n--- baseline ---\n{baselineRequest}");
        }

        if (ours.Url != theirs.Url || ours.RequestId != theirs.RequestId)
        {
            throw new InvalidOperationException($"The two answers differ: {ours.Url} {ours.RequestId} vs {theirs.Url} {theirs.RequestId}.");
        }

        Console.WriteLine("// Identical GetLink requests (Timestamp and SignatureNonce masked):\n" + Normalize(sdkRequest).Replace("\n", "\n//   ", StringComparison.Ordinal));
    }

    /// <summary>The SDK, link cache disabled: one GetLink round trip.</summary>
    [Benchmark]
    public async Task<SessionLink> Sdk_GetLink_Uncached() => await _client.GetLinkAsync(SessionId, Request);

    /// <summary>The hand-written baseline: the same request and the same checks on the answer.</summary>
    [Benchmark(Baseline = true)]
    public async Task<BaselineLink> HandWritten_GetLink()
    {
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        // The nonce as the SDK makes it (it only has to be unique), so neither side pays for a cryptographic generator.
        Span<byte> random = stackalloc byte[16];
        Random.Shared.NextBytes(random);
        var nonce = Convert.ToHexStringLower(random);
        using var request = new HttpRequestMessage(
            HttpMethod.Post,
            new Uri("/?Format=json&Version=2025-05-06&Action=GetLink&Timestamp=" + Uri.EscapeDataString(timestamp) + "&SignatureNonce=" + nonce, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("x-acs-version", "2025-05-06");
        request.Headers.TryAddWithoutValidation("x-acs-action", "GetLink");
        request.Headers.TryAddWithoutValidation("User-Agent", RpcProtocol.UserAgent);
        var form = "Authorization=" + Uri.EscapeDataString(_authorization)
            + "&SessionId=" + Uri.EscapeDataString(SessionId)
            + "&ProtocolType=https&Port=" + Port.ToString(CultureInfo.InvariantCulture);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(form));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var envelope = await response.Content.ReadFromJsonAsync(BaselineJsonContext.Default.BaselineGetLinkEnvelope);
        if (!response.IsSuccessStatusCode || envelope is null || envelope.Success == false || envelope.Data?.Url is not { } url)
        {
            throw new InvalidOperationException($"GetLink failed: HTTP {(int)response.StatusCode} {envelope?.Code} {envelope?.Message}");
        }

        return new BaselineLink(new Uri(url, UriKind.Absolute), envelope.RequestId, DateTimeOffset.UtcNow);
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _client?.Dispose();
        _http?.Dispose();
        _handler?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Masks the two values the protocol makes differ per request, after checking their shape.</summary>
    private static string Normalize(string request)
    {
        var masked = PerRequestValues().Replace(request, "Timestamp=<timestamp>&SignatureNonce=<nonce>");
        if (ReferenceEquals(masked, request) || masked == request)
        {
            throw new InvalidOperationException("A request lacks the Timestamp/SignatureNonce pair:\n" + request);
        }

        return masked;
    }

    [GeneratedRegex(@"Timestamp=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ&SignatureNonce=[0-9a-f]{32}")]
    private static partial Regex PerRequestValues();
}

/// <summary>What the baseline returns: the link, the request id and when it arrived (as <see cref="SessionLink"/>).</summary>
public sealed record BaselineLink(Uri Url, string? RequestId, DateTimeOffset RetrievedAt);

/// <summary>The baseline's view of the GetLink envelope.</summary>
public sealed class BaselineGetLinkEnvelope
{
    public string? RequestId { get; set; }

    public bool? Success { get; set; }

    public string? Code { get; set; }

    public string? Message { get; set; }

    public BaselineGetLinkData? Data { get; set; }
}

/// <summary>The baseline's view of GetLink's <c>Data</c>.</summary>
public sealed class BaselineGetLinkData
{
    public string? Url { get; set; }
}

[JsonSerializable(typeof(BaselineGetLinkEnvelope))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
