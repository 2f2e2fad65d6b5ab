namespace AgentBay.Lite.DependencyInjection;

/// <summary>
/// What one <c>AddAgentBay</c>/<c>AddKeyedAgentBay</c> registration made, kept in the service collection so a second
/// call for the same key adds only its configuration, and so the validator knows which options it guards.
/// </summary>
internal sealed class AgentBayRegistration(object? serviceKey, string optionsName, string httpClientName)
{
    /// <summary>The name of the default registration's <see cref="HttpClient"/>; keyed ones append <c>:{key}</c>.</summary>
    internal const string DefaultHttpClientName = "AgentBay";

    /// <summary>The service key; <see langword="null"/> for the default registration.</summary>
    public object? ServiceKey { get; } = serviceKey;

    /// <summary>The name of the <see cref="AgentBayOptions"/> instance.</summary>
    public string OptionsName { get; } = optionsName;

    /// <summary>The name of the <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>.</summary>
    public string HttpClientName { get; } = httpClientName;

    /// <summary>The builder the first call returned, returned again by later calls for the same key.</summary>
    public Microsoft.Extensions.DependencyInjection.IHttpClientBuilder? HttpClientBuilder { get; set; }

    /// <summary>Whether the <c>AGENTBAY_*</c> variables are already applied to these options.</summary>
    public bool ReadsEnvironment { get; set; }

    /// <summary>
    /// Builds the client's shared link tier, set by <c>WithSharedLinkCache</c>; <see langword="null"/> without it. A
    /// delegate rather than a flag, so that only apps that call <c>WithSharedLinkCache</c> carry the tier's code
    /// (the trimmer and NativeAOT drop it from the others).
    /// </summary>
    public Func<IServiceProvider, AgentBayOptions, Caching.Shared.SharedLinkTier>? CreateSharedLinks { get; set; }
}
