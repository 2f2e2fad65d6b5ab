using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentBay.Lite.Emulator.Tests.Agb;

/// <summary>An AGB answer, parsed loosely so tests can assert on any part.</summary>
internal sealed class AgbResponse
{
    public required HttpStatusCode Status { get; init; }
    public required string Body { get; init; }
    public required HttpResponseHeaders Headers { get; init; }
    public JsonElement Json { get; init; }

    /// <summary>The <c>Allow</c> header (a content header), comma-joined.</summary>
    public string Allow { get; init; } = "";

    public string Code => Json.GetProperty("code").GetString()!;
    public string Message => Json.GetProperty("message").GetString()!;
    public JsonElement Data => Json.GetProperty("data");

    /// <summary>Asserts AGB's camelCase envelope with the given status and code, and the request id in body and header alike.</summary>
    public AgbResponse AssertEnvelope(HttpStatusCode status, string code)
    {
        Assert.True(Json.ValueKind == JsonValueKind.Object, "not a JSON object: " + Body);
        Assert.Equal(status, Status);
        Assert.Equal(code, Code);
        Assert.Equal((int)status, Json.GetProperty("httpStatusCode").GetInt32());
        Assert.Equal(status == HttpStatusCode.OK, Json.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.String, Json.GetProperty("message").ValueKind);
        var requestId = Json.GetProperty("requestId").GetString();
        Assert.Matches("^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$", requestId);
        Assert.Equal(requestId, Headers.GetValues("x-request-id").Single());
        Assert.True(Json.TryGetProperty("data", out _), "no data: " + Body);
        Assert.False(Json.TryGetProperty("RequestId", out _), "PascalCase RequestId: " + Body);
        return this;
    }

    public AgbResponse AssertOk() => AssertEnvelope(HttpStatusCode.OK, "OK");

    public AgbResponse AssertError(string code, HttpStatusCode status = HttpStatusCode.BadRequest) => AssertEnvelope(status, code);
}

/// <summary>
/// Builds AGB requests by hand, the way the AGB TypeScript SDK 0.12.0 puts them on the wire (agb-rest.md §8):
/// <c>authorization: Bearer &lt;key&gt;</c> in lowercase, <c>Content-Type: application/json</c>, JSON bodies (<c>{}</c> when
/// there is nothing to send), and the query parameters the SDK puts in the query.
/// </summary>
internal sealed class AgbClient : IDisposable
{
    public AgbClient(AgentBayEmulator emulator, string? apiKey = null)
    {
        Key = apiKey ?? emulator.ApiKey;
        Http = new HttpClient { BaseAddress = emulator.Endpoint, Timeout = TimeSpan.FromSeconds(100) };
    }

    public HttpClient Http { get; }

    public string? Key { get; set; }

    public static string Q(string path, params (string Key, string Value)[] query) =>
        query.Length == 0 ? path : path + "?" + string.Join("&", query.Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value)));

    public Task<AgbResponse> PostAsync(string pathAndQuery, JsonObject? body = null, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Post, pathAndQuery, (body ?? []).ToJsonString(), configure);

    public Task<AgbResponse> GetAsync(string pathAndQuery, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Get, pathAndQuery, null, configure);

    public async Task<AgbResponse> SendAsync(HttpMethod method, string pathAndQuery, string? json, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (Key is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", "Bearer " + Key);
        }

        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/plain, */*");
        request.Headers.TryAddWithoutValidation("User-Agent", "axios/1.7.9");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        configure?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        JsonElement parsed = default;
        try
        {
            using var doc = JsonDocument.Parse(body);
            parsed = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Left undefined: the malformed-JSON fault test inspects Body.
        }

        return new AgbResponse { Status = response.StatusCode, Body = body, Headers = response.Headers, Json = parsed, Allow = string.Join(",", response.Content.Headers.Allow) };
    }

    /// <summary>Creates a session as the TS SDK does: image and sdkStats in the query, labels as a JSON string in the body.</summary>
    public async Task<string> CreateAsync(string imageId = "agb-code-space-1", string? labelsJson = null)
    {
        var stats = """{"source":"sdk","sdk_language":"typescript","sdk_version":"0.12.0","is_release":true}""";
        var body = labelsJson is null ? [] : new JsonObject { ["labels"] = labelsJson };
        var r = (await PostAsync(Q("/mcp/createSession", ("imageId", imageId), ("sdkStats", stats)), body)).AssertOk();
        return r.Data.GetProperty("sessionId").GetString()!;
    }

    /// <summary>The API tool route: <c>POST /mcp?autoGenSession=false</c> with args as a JSON string.</summary>
    public Task<AgbResponse> ToolAsync(string sessionId, string name, string argsJson) =>
        PostAsync("/mcp?autoGenSession=false", new JsonObject { ["args"] = argsJson, ["sessionId"] = sessionId, ["name"] = name });

    public void Dispose() => Http.Dispose();
}
