namespace AgentBay.Lite.Generators.Tests.Infrastructure;

/// <summary>Interfaces in the style of the two protocols the SDK speaks, compiled in memory by the tests.</summary>
internal static class TestSources
{
    /// <summary>AgentBay POP RPC: POST /, constant query and headers, a form body with a key field (agentbay-rpc.md §1).</summary>
    public const string Rpc = """
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentBay.Lite.Http;

        namespace Sample.Rpc;

        public record RpcRequest
        {
            public string? Authorization { get; init; }
        }

        public sealed record GetLinkRequest : RpcRequest
        {
            public string? SessionId { get; init; }
            public int? Port { get; init; }
            public LinkProtocol? ProtocolType { get; init; }
            [AliasAs("Option")]
            public string? Options { get; init; }
            public bool IsVpc { get; init; }
            public double Ratio { get; init; }
            [FormJson]
            public Dictionary<string, string>? Labels { get; init; }
        }

        public enum LinkProtocol
        {
            Https,
            Wss,
        }

        public sealed class RpcEnvelope
        {
            public string? RequestId { get; set; }
            public bool? Success { get; set; }
            public string? Code { get; set; }
            public string? Message { get; set; }
            public int? HttpStatusCode { get; set; }
            public LinkData? Data { get; set; }
        }

        public sealed class LinkData
        {
            public string? Url { get; set; }
        }

        [JsonSerializable(typeof(RpcEnvelope))]
        [JsonSerializable(typeof(Dictionary<string, string>))]
        internal sealed partial class RpcJsonContext : JsonSerializerContext;

        [HttpApi(typeof(RpcJsonContext))]
        [QueryConstant("Format", "json")]
        [QueryConstant("Version", "2025-05-06")]
        [HeaderConstant("x-acs-version", "2025-05-06")]
        internal interface IAgentBayRpcApi
        {
            [Post("/")]
            [QueryConstant("Action", "GetLink")]
            [HeaderConstant("x-acs-action", "GetLink")]
            Task<ApiResponse<RpcEnvelope>> GetLinkAsync([Body(BodySerialization.UrlEncodedForm)] GetLinkRequest request, CancellationToken cancellationToken);

            [Post("/")]
            [QueryConstant("Action", "GetSessionDetail")]
            [HeaderConstant("x-acs-action", "GetSessionDetail")]
            Task<RpcEnvelope> GetSessionDetailAsync([AliasAs("SessionId")] string sessionId, [Body(BodySerialization.UrlEncodedForm)] RpcRequest request, CancellationToken cancellationToken);
        }

        internal sealed partial class AgentBayRpcApiClient
        {
            partial void PrepareRequest(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("x-prepared", "yes");
        }
        """;

    /// <summary>AGB REST: GET and POST on paths, query strings, JSON bodies, an authorization header (agb-rest.md §1).</summary>
    public const string Rest = """
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentBay.Lite.Http;

        namespace Sample.Rest;

        public sealed class AgbEnvelope
        {
            public bool Success { get; set; }
            public string? Code { get; set; }
            public string? Message { get; set; }
            public string? RequestId { get; set; }
            public JsonElement Data { get; set; }
        }

        public sealed record GetSessionRequest(string SessionId);

        public enum ItemKind
        {
            Plain,
            Fancy = 5,
            AlsoFancy = 5,
        }

        [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
        [JsonSerializable(typeof(AgbEnvelope))]
        [JsonSerializable(typeof(GetSessionRequest))]
        internal sealed partial class AgbJsonContext : JsonSerializerContext;

        [HttpApi(typeof(AgbJsonContext))]
        internal interface IAgbRestApi
        {
            [Get("/internet/getLink")]
            Task<AgbEnvelope> GetLinkAsync([Header("authorization")] string authorization, string sessionId, string? protocolType, int? port, CancellationToken cancellationToken);

            [Post("/mcp/getSession")]
            Task<ApiResponse<AgbEnvelope>> GetSessionAsync([Header("authorization")] string authorization, [Body] GetSessionRequest request, CancellationToken cancellationToken);

            [Get("/items/{id}/versions/{version}")]
            Task<AgbEnvelope> GetItemAsync(string id, [AliasAs("version")] long itemVersion, [Query] ItemKind kind, bool? verbose, [Header("x-trace")] int? trace, CancellationToken cancellationToken);

            [Delete("/items/{id}")]
            Task DeleteItemAsync(string id, CancellationToken cancellationToken);

            [Put("/classes/{class}?mode=replace")]
            Task<AgbEnvelope> PutClassAsync(string @class, [AliasAs("event")] string? @event, double ratio, CancellationToken cancellationToken);
        }
        """;
}
