using System.Text.Json;
using System.Text.Json.Serialization;
using AgentBay.Lite;

// A NativeAOT function: each request creates an AgentBay session and answers with its links. The client comes from
// services.AddAgentBay() (options from AGENTBAY_API_KEY / AGENTBAY_ENDPOINT), JSON from a source-generated context.
var builder = WebApplication.CreateSlimBuilder(args);
IHttpClientBuilder agentBay = builder.Services.AddAgentBay();

// A fleet of these functions shares its links through Redis when AGENTBAY_REDIS holds a StackExchange.Redis
// configuration string (e.g. "cache.internal:6380,ssl=true,password=…"); without it each instance caches alone.
if (Environment.GetEnvironmentVariable("AGENTBAY_REDIS") is { Length: > 0 } redis)
{
    builder.Services.AddStackExchangeRedisCache(options => options.Configuration = redis);
    agentBay.WithSharedLinkCache();
}

builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, FunctionJsonContext.Default));

var app = builder.Build();

// A value the SDK refuses (a port it cannot link to) is the caller's mistake: 400 with the SDK's message.
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (ArgumentException ex) when (!context.Response.HasStarted)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new Problem(ex.Message), FunctionJsonContext.Default.Problem);
    }
});

// One link: POST /sessions/link?port=30150 creates a session and returns its HTTPS link for that port.
app.MapPost("/sessions/link", async (IAgentBayClient agentBay, int? port, CancellationToken cancellationToken) =>
{
    AgentBaySession session = await agentBay.CreateSessionAsync(cancellationToken: cancellationToken);
    SessionLink link = await session.GetLinkAsync(LinkRequest.Https(port ?? 30150), cancellationToken);
    return new SessionLinks(session.Id, [new PortLink(link.Request.ToString(), link.Url.ToString(), null)]);
});

// Many links: POST /sessions/links?ports=30150,30180 creates a session and fetches one link per port in parallel;
// a port that fails is reported in its entry, not as a failed request.
app.MapPost("/sessions/links", async (IAgentBayClient agentBay, string? ports, CancellationToken cancellationToken) =>
{
    List<LinkRequest> requests = [];
    foreach (string part in (ports ?? "30150").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        if (!int.TryParse(part, out int port))
        {
            return Results.BadRequest(new Problem($"'{part}' is not a port; ports is a comma-separated list"));
        }

        requests.Add(LinkRequest.Https(port));   // the SDK refuses a port it cannot link to (ArgumentOutOfRangeException)
    }

    AgentBaySession session = await agentBay.CreateSessionAsync(cancellationToken: cancellationToken);
    IReadOnlyList<LinkResult> results = await session.GetLinksAsync(requests, cancellationToken: cancellationToken);
    return Results.Ok(new SessionLinks(
        session.Id,
        [.. results.Select(r => new PortLink(r.Request.ToString(), r.Link?.Url.ToString(), r.Error?.Message))]));
});

// The caller deletes the session when it is done with the links.
app.MapDelete("/sessions/{id}", async (IAgentBayClient agentBay, string id, CancellationToken cancellationToken) =>
{
    await agentBay.DeleteSessionAsync(id, cancellationToken);
    return Results.NoContent();
});

app.Run();

internal sealed record PortLink(string Request, string? Url, string? Error);

internal sealed record SessionLinks(string SessionId, IReadOnlyList<PortLink> Links);

internal sealed record Problem(string Error);

// Web defaults (camelCase) here too, so an answer written with this context directly matches the endpoints' answers.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SessionLinks))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class FunctionJsonContext : JsonSerializerContext;
