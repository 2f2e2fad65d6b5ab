using System.Globalization;

namespace AgentBay.Lite;

/// <summary>
/// How an <see cref="AgentBayClient"/> reaches the AgentBay service: the API key, the gateway, time limits and,
/// optionally, the HTTP stack to use.
/// </summary>
/// <remarks>
/// <para>
/// The options are read once, when the client is constructed; changing them afterwards does not affect an existing
/// client. The constructor validates them and throws an <see cref="ArgumentException"/> naming the setting (and its
/// environment variable) when one is missing or invalid.
/// </para>
/// <para>
/// <see cref="FromEnvironment()"/> builds options from the <c>AGENTBAY_*</c> (or, when only AGB's key is set, the
/// <c>AGB_*</c>) environment variables the official SDKs read; a <c>.env</c> file is not consulted.
/// </para>
/// </remarks>
public sealed class AgentBayOptions
{
    /// <summary>The gateway the official SDKs use by default: <c>https://wuyingai.cn-shanghai.aliyuncs.com/</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://wuyingai.cn-shanghai.aliyuncs.com/", UriKind.Absolute);

    /// <summary>The gateway of the AGB service (<see cref="AgentBayService.Agb"/>): <c>https://sdk-api.agb.cloud/</c>.</summary>
    public static Uri DefaultAgbEndpoint { get; } = new("https://sdk-api.agb.cloud/", UriKind.Absolute);

    /// <summary>The image an AGB session gets when <see cref="CreateSessionOptions.ImageId"/> is <see langword="null"/>: <c>agb-code-space-1</c>.</summary>
    public const string DefaultAgbImageId = Agb.AgbBackend.DefaultImageId;

    /// <summary>The default <see cref="Timeout"/>: 60 seconds, as in the official SDKs.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The default <see cref="DeleteTimeout"/>: 60 seconds.</summary>
    public static TimeSpan DefaultDeleteTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The default <see cref="DeletePollInterval"/>: 1 second, as in the official SDKs.</summary>
    public static TimeSpan DefaultDeletePollInterval { get; } = TimeSpan.FromSeconds(1);

    internal const string ApiKeyVariable = "AGENTBAY_API_KEY";
    internal const string EndpointVariable = "AGENTBAY_ENDPOINT";
    internal const string TimeoutVariable = "AGENTBAY_TIMEOUT_MS";
    internal const string RegionIdVariable = "AGENTBAY_REGION_ID";
    internal const string AgbApiKeyVariable = "AGB_API_KEY";
    internal const string AgbEndpointVariable = "AGB_ENDPOINT";
    internal const string AgbTimeoutVariable = "AGB_TIMEOUT_MS";

    private Uri? _endpoint;
    private bool _endpointSet;

    /// <summary>
    /// Which service the client talks to: <see cref="AgentBayService.AgentBay"/> (the default) or
    /// <see cref="AgentBayService.Agb"/>. Both offer the same client surface; the service decides the wire protocol, the
    /// default <see cref="Endpoint"/> (<see cref="DefaultEndpoint"/> or <see cref="DefaultAgbEndpoint"/>), the default image
    /// (the service's own, or <see cref="DefaultAgbImageId"/>) and the environment variables named in messages.
    /// <see cref="FromEnvironment()"/> sets it to <see cref="AgentBayService.Agb"/> when only <c>AGB_API_KEY</c> is set.
    /// </summary>
    public AgentBayService Service { get; set; }

    /// <summary>
    /// The API key (it looks like <c>akm-…</c>). Required. Keys are gateway-specific: a key for the Shanghai gateway
    /// is refused by Singapore. Environment variable: <c>AGENTBAY_API_KEY</c>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The gateway's root URI, http or https, without a path, query or fragment. Defaults to
    /// <see cref="DefaultEndpoint"/>; the Singapore gateway is <c>https://wuyingai.ap-southeast-1.aliyuncs.com</c>.
    /// Environment variable: <c>AGENTBAY_ENDPOINT</c>, either a bare <c>host[:port]</c> (meaning https, as in the
    /// official SDKs) or a full <c>http://</c>/<c>https://</c> URI (e.g. a local emulator).
    /// </summary>
    /// <remarks>Left unset, it follows <see cref="Service"/>: <see cref="DefaultAgbEndpoint"/> for AGB (<c>AGB_ENDPOINT</c>).</remarks>
    public Uri Endpoint
    {
        get => _endpointSet ? _endpoint! : Service == AgentBayService.Agb ? DefaultAgbEndpoint : DefaultEndpoint;
        set
        {
            _endpoint = value;
            _endpointSet = true;
        }
    }

    /// <summary>
    /// How long one request to the service may take before it fails with <see cref="AgentBayTimeoutException"/>.
    /// Positive, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit; default 60 seconds.
    /// Environment variable: <c>AGENTBAY_TIMEOUT_MS</c> (milliseconds).
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Where sessions run (sent as <c>LoginRegionId</c>), e.g. <c>cn-hangzhou</c>; <see langword="null"/> for the
    /// service default. Not the gateway: that is <see cref="Endpoint"/>. Environment variable: <c>AGENTBAY_REGION_ID</c>.
    /// AgentBay only: AGB has no region parameter, so it is not sent there.
    /// </summary>
    public string? RegionId { get; set; }

    /// <summary>
    /// How long <see cref="AgentBayClient.DeleteSessionAsync"/> (and disposing a session) waits for the service to
    /// report the session finished or gone before failing with <see cref="AgentBayTimeoutException"/>. Positive, or
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> to wait until cancelled; default 60 seconds. The
    /// deletion itself has been requested by then; only the wait is abandoned.
    /// </summary>
    public TimeSpan DeleteTimeout { get; set; } = DefaultDeleteTimeout;

    /// <summary>How often the deletion wait asks for the session's status. Positive; default 1 second.</summary>
    public TimeSpan DeletePollInterval { get; set; } = DefaultDeletePollInterval;

    /// <summary>
    /// The ports links may be requested for; checked before any request is sent. Default
    /// <see cref="LinkPortRange.Default"/> (30100–30199), the ports AgentBay opens to every account; widen it when your
    /// account has more ports open, or set <see cref="LinkPortRange.Any"/> to leave the check to the service.
    /// </summary>
    public LinkPortRange LinkPorts { get; set; } = LinkPortRange.Default;

    /// <summary>How links are cached; see <see cref="LinkCacheOptions"/>. On by default, with a 5-minute time-to-live.</summary>
    public LinkCacheOptions LinkCache { get; set; } = new();

    /// <summary>
    /// How transient failures are retried; see <see cref="AgentBayRetryOptions"/>. On by default: up to 3 retries with
    /// exponential backoff from 200 ms (at most 5 s apart), within 2 minutes per call. Set
    /// <see cref="AgentBayRetryOptions.MaxRetries"/> to 0 to turn retries off.
    /// </summary>
    public AgentBayRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Whether tool calls (<see cref="AgentBaySession.Commands"/>, <see cref="AgentBaySession.Files"/>) go straight to
    /// the session — <c>POST {LinkUrl}/callTool</c> with the session's <see cref="AgentBaySession.Token"/> — when the
    /// service gave the session a link_url, a token and the tool's server, as the official SDKs do; otherwise, and
    /// when this is <see langword="false"/>, they go through the API (<c>CallMcpTool</c>) with the API key. Default
    /// <see langword="true"/>.
    /// </summary>
    public bool UseDirectToolRoute { get; set; } = true;

    /// <summary>
    /// An <see cref="System.Net.Http.HttpClient"/> to send requests with, or <see langword="null"/> to let the client
    /// create and own one. A supplied client is never disposed by the SDK. If its
    /// <see cref="HttpClient.BaseAddress"/> is <see langword="null"/>, the SDK sets it to <see cref="Endpoint"/> (so
    /// the client must not have sent a request yet); if it is set, it must equal <see cref="Endpoint"/>, otherwise
    /// construction fails rather than silently picking one. Its own <see cref="HttpClient.Timeout"/> still applies
    /// on top of <see cref="Timeout"/>. Cannot be combined with <see cref="HttpMessageHandler"/>.
    /// The SDK cannot see this client's handler: if that handler follows redirects, a redirected call fails with
    /// <see cref="AgentBayProtocolException"/> and the form (with the API key) is never sent to the new address, but
    /// a 301/302/303 is still followed by the handler as a GET without it. Give a handler with
    /// <c>AllowAutoRedirect = false</c>, or use <see cref="HttpMessageHandler"/>.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// A handler for the <see cref="System.Net.Http.HttpClient"/> the SDK creates (e.g. an in-memory handler in tests,
    /// or a proxy-configured <see cref="SocketsHttpHandler"/>), or <see langword="null"/> for the SDK's own tuned
    /// <see cref="SocketsHttpHandler"/>. The SDK disposes the client it creates but never the handler given here.
    /// Cannot be combined with <see cref="HttpClient"/>. The SDK never follows redirects: it turns off
    /// <c>AllowAutoRedirect</c> on the <see cref="SocketsHttpHandler"/> or <see cref="HttpClientHandler"/> at the
    /// end of the handler's <see cref="DelegatingHandler.InnerHandler"/> chain, so a 3xx answer surfaces as
    /// <see cref="AgentBayProtocolException"/> naming the status and no request reaches the other host.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>
    /// Builds options from the environment variables the official SDKs read: <c>AGENTBAY_API_KEY</c>,
    /// <c>AGENTBAY_ENDPOINT</c> (bare <c>host[:port]</c> means https; a full <c>http(s)://</c> URI is kept),
    /// <c>AGENTBAY_TIMEOUT_MS</c> (milliseconds) and <c>AGENTBAY_REGION_ID</c>. Unset or blank variables leave the
    /// defaults. When <c>AGENTBAY_API_KEY</c> is unset and <c>AGB_API_KEY</c> is set, the options are for AGB instead
    /// (<see cref="Service"/> is <see cref="AgentBayService.Agb"/>, which says what was picked) and read <c>AGB_API_KEY</c>,
    /// <c>AGB_ENDPOINT</c> and <c>AGB_TIMEOUT_MS</c> the same way. The result is validated when a client is constructed from it.
    /// </summary>
    /// <returns>New options.</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AGENTBAY_ENDPOINT</c> is not a host or URI, or <c>AGENTBAY_TIMEOUT_MS</c> is not a positive whole number.
    /// </exception>
    public static AgentBayOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Builds options from variables read through <paramref name="getVariable"/> (testable without the process environment).</summary>
    internal static AgentBayOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var options = new AgentBayOptions();
        if (Read(getVariable, ApiKeyVariable) is null && Read(getVariable, AgbApiKeyVariable) is not null)
        {
            options.Service = AgentBayService.Agb;
        }

        var agb = options.Service == AgentBayService.Agb;
        string endpointVariable = options.EndpointVariableName;
        string timeoutVariable = options.TimeoutVariableName;
        if (Read(getVariable, options.ApiKeyVariableName) is { } apiKey)
        {
            options.ApiKey = apiKey;
        }

        if (Read(getVariable, endpointVariable) is { } endpoint)
        {
            options.Endpoint = ParseEndpoint(endpoint, endpointVariable);
        }

        if (Read(getVariable, timeoutVariable) is { } timeout)
        {
            if (!long.TryParse(timeout, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long milliseconds)
                || milliseconds <= 0
                || milliseconds > int.MaxValue)
            {
                throw new InvalidOperationException(
                    $"{timeoutVariable} is '{timeout}', which is not a positive whole number of milliseconds. Set it to e.g. 60000, or unset it for the 60-second default.");
            }

            options.Timeout = TimeSpan.FromMilliseconds(milliseconds);
        }

        if (!agb && Read(getVariable, RegionIdVariable) is { } regionId)
        {
            options.RegionId = regionId;
        }

        return options;
    }

    private static string? Read(Func<string, string?> getVariable, string name)
    {
        string? value = getVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>The environment variable of the API key for <see cref="Service"/>.</summary>
    internal string ApiKeyVariableName => Service == AgentBayService.Agb ? AgbApiKeyVariable : ApiKeyVariable;

    /// <summary>The environment variable of the endpoint for <see cref="Service"/>.</summary>
    internal string EndpointVariableName => Service == AgentBayService.Agb ? AgbEndpointVariable : EndpointVariable;

    /// <summary>The environment variable of the timeout for <see cref="Service"/>.</summary>
    internal string TimeoutVariableName => Service == AgentBayService.Agb ? AgbTimeoutVariable : TimeoutVariable;

    private static Uri ParseEndpoint(string value, string variable)
    {
        // "localhost:8080" parses as an absolute URI with scheme "localhost", so decide by the separator instead.
        string candidate = value.Contains("://", StringComparison.Ordinal) ? value : "https://" + value;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out Uri? uri))
        {
            throw new InvalidOperationException(
                $"{variable} is '{value}', which is neither a host[:port] nor an http(s) URI. Set it to e.g. wuyingai.cn-shanghai.aliyuncs.com or http://127.0.0.1:8080, or unset it for the default gateway.");
        }

        return uri;
    }

    /// <summary>
    /// Every problem with these options, each naming the setting, its environment variable and how to fix it; empty
    /// when they are valid. The client constructor and the DI registration both validate through this method.
    /// </summary>
    internal IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        string keyVariable = ApiKeyVariableName, endpointVariable = EndpointVariableName, timeoutVariable = TimeoutVariableName;
        Uri defaultEndpoint = Service == AgentBayService.Agb ? DefaultAgbEndpoint : DefaultEndpoint;

        if (!Enum.IsDefined(Service))
        {
            errors.Add($"AgentBayOptions.Service is {(int)Service}, which is not a service. Set it to AgentBayService.AgentBay or AgentBayService.Agb.");
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add(Service == AgentBayService.Agb
                ? $"AgentBayOptions.ApiKey is missing. Set it to your AGB API key (from agb.cloud/console), or set the {keyVariable} environment variable and use AgentBayOptions.FromEnvironment()."
                : $"AgentBayOptions.ApiKey is missing. Set it to your AgentBay API key (akm-…, from the AgentBay console), or set the {keyVariable} environment variable and use AgentBayOptions.FromEnvironment().");
        }

        if (Endpoint is null)
        {
            errors.Add(
                $"AgentBayOptions.Endpoint is null. Set it to the gateway's root URI, e.g. {defaultEndpoint}, or set {endpointVariable}.");
        }
        else if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttps && Endpoint.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add(
                $"AgentBayOptions.Endpoint '{Endpoint}' is not an absolute http or https URI. Set it to e.g. {defaultEndpoint} (or {endpointVariable} to a host[:port] or an http(s) URI).");
        }
        else if (Endpoint.AbsolutePath != "/" || !string.IsNullOrEmpty(Endpoint.Query) || !string.IsNullOrEmpty(Endpoint.Fragment))
        {
            errors.Add(
                $"AgentBayOptions.Endpoint '{Endpoint}' has a path, query or fragment; the AgentBay API lives at the gateway's root. Use just scheme://host[:port], e.g. {defaultEndpoint}.");
        }

        CheckLimit(errors, Timeout, "AgentBayOptions.Timeout", $" (from {timeoutVariable}, in milliseconds, when read from the environment)", "60 seconds");
        CheckLimit(errors, DeleteTimeout, "AgentBayOptions.DeleteTimeout", string.Empty, "60 seconds");

        if (DeletePollInterval <= TimeSpan.Zero || DeletePollInterval.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"AgentBayOptions.DeletePollInterval is {DeletePollInterval}; it must be positive. Leave it at the default of 1 second unless you need another.");
        }

        if (LinkCache is null)
        {
            errors.Add("AgentBayOptions.LinkCache is null. Leave it at its default, or set LinkCache.Enabled = false to turn caching off.");
        }
        else if (LinkCache.Enabled)
        {
            if (LinkCache.TimeToLive <= TimeSpan.Zero || LinkCache.TimeToLive.TotalDays > 365)
            {
                errors.Add($"AgentBayOptions.LinkCache.TimeToLive is {LinkCache.TimeToLive}; it must be positive (at most a year). The default is 5 minutes; set LinkCache.Enabled = false to turn caching off instead.");
            }

            if (LinkCache.MaxEntries < 1)
            {
                errors.Add($"AgentBayOptions.LinkCache.MaxEntries is {LinkCache.MaxEntries}; it must be at least 1. The default is {LinkCacheOptions.DefaultMaxEntries}.");
            }
        }

        if (LinkPorts is null)
        {
            errors.Add("AgentBayOptions.LinkPorts is null. Leave it at its default (30100-30199), or set the range of ports your account has open.");
        }

        if (Retry is null)
        {
            errors.Add("AgentBayOptions.Retry is null. Leave it at its default, or set Retry.MaxRetries = 0 to turn retries off.");
        }
        else
        {
            Retry.Validate(errors);
        }

        if (HttpClient is not null && HttpMessageHandler is not null)
        {
            errors.Add(
                "AgentBayOptions.HttpClient and AgentBayOptions.HttpMessageHandler are both set. Set only one: HttpClient to use your client as it is, or HttpMessageHandler to have the SDK build its client on your handler.");
        }

        if (HttpClient?.BaseAddress is { } baseAddress && Endpoint is not null && !SameRoot(baseAddress, Endpoint))
        {
            errors.Add(
                $"AgentBayOptions.HttpClient.BaseAddress '{baseAddress}' differs from AgentBayOptions.Endpoint '{Endpoint}'. Make them agree, or leave BaseAddress null and the SDK sets it from Endpoint.");
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem when these options are invalid.</summary>
    /// <param name="paramName">The parameter the options came in through.</param>
    internal void ThrowIfInvalid(string paramName)
    {
        IReadOnlyList<string> errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "The AgentBay options are not valid: " + string.Join(" ", errors),
                paramName);
        }
    }

    /// <summary>The endpoint as an <see cref="HttpClient.BaseAddress"/>: the root, with a trailing slash.</summary>
    internal Uri GetBaseAddress() => new(Endpoint.GetLeftPart(UriPartial.Authority) + "/", UriKind.Absolute);

    private static bool SameRoot(Uri a, Uri b) =>
        a.IsAbsoluteUri
        && Uri.Compare(a, b, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static void CheckLimit(List<string> errors, TimeSpan value, string name, string source, string defaultText)
    {
        if (value == System.Threading.Timeout.InfiniteTimeSpan)
        {
            return;
        }

        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} is {value}{source}; it must be positive (or Timeout.InfiniteTimeSpan for no limit). The default is {defaultText}.");
        }
        else if (value.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"{name} is {value}; it must be at most {TimeSpan.FromMilliseconds(int.MaxValue)} (or Timeout.InfiniteTimeSpan for no limit).");
        }
    }
}
