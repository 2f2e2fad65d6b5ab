using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

// The hand-written baseline: CreateMcpSession, GetLink (HTTPS, port 30150), ReleaseMcpSession against
// AGENTBAY_ENDPOINT with AGENTBAY_API_KEY, printing "first-link-unix-ns <ns> <origin>" like the SDK's console sample (which hides the link's token).
string apiKey = Environment.GetEnvironmentVariable("AGENTBAY_API_KEY") ?? throw new InvalidOperationException("AGENTBAY_API_KEY is not set.");
var endpoint = new Uri(Environment.GetEnvironmentVariable("AGENTBAY_ENDPOINT") ?? throw new InvalidOperationException("AGENTBAY_ENDPOINT is not set."));
using var http = new HttpClient { BaseAddress = endpoint };
string authorization = "Authorization=" + Uri.EscapeDataString("Bearer " + apiKey);

Envelope created = await CallAsync("CreateMcpSession", authorization);
string sessionId = created.Data?.SessionId ?? throw new InvalidOperationException("CreateMcpSession answered without a SessionId.");
Envelope linked = await CallAsync("GetLink", $"{authorization}&SessionId={Uri.EscapeDataString(sessionId)}&ProtocolType=https&Port=30150");
string url = linked.Data?.Url ?? throw new InvalidOperationException("GetLink answered without a Url.");
long unixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
Console.WriteLine($"first-link-unix-ns {unixNanoseconds} {new Uri(url).GetLeftPart(UriPartial.Authority)}");
await CallAsync("ReleaseMcpSession", $"{authorization}&SessionId={Uri.EscapeDataString(sessionId)}");
return 0;

async Task<Envelope> CallAsync(string action, string form)
{
    string timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    string nonce = Guid.NewGuid().ToString("N");
    using var request = new HttpRequestMessage(HttpMethod.Post,
        $"/?Action={action}&Format=json&Version=2025-05-06&Timestamp={Uri.EscapeDataString(timestamp)}&SignatureNonce={nonce}");
    request.Headers.TryAddWithoutValidation("x-acs-action", action);
    request.Headers.TryAddWithoutValidation("x-acs-version", "2025-05-06");
    request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(form));
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
    using HttpResponseMessage response = await http.SendAsync(request);
    Envelope? envelope = await response.Content.ReadFromJsonAsync(BaselineJsonContext.Default.Envelope);
    if (!response.IsSuccessStatusCode || envelope is null || envelope.Success == false)
    {
        throw new InvalidOperationException($"{action} failed: HTTP {(int)response.StatusCode} {envelope?.Code} {envelope?.Message}");
    }

    return envelope;
}

internal sealed record Envelope(string? RequestId, bool? Success, string? Code, string? Message, EnvelopeData? Data);

internal sealed record EnvelopeData(string? SessionId, string? Url);

[JsonSerializable(typeof(Envelope))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
