using AgentBay.Lite;
using AgentBay.Lite.Caching.Shared;
using AgentBay.Lite.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns on the link cache's shared tier for a client registered with <c>AddAgentBay</c>.</summary>
public static class AgentBaySharedLinkCacheExtensions
{
    /// <summary>
    /// Shares this client's link cache with every instance that uses the same <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// (e.g. Redis through <c>AddStackExchangeRedisCache</c>): a link one instance fetched is served to the others without
    /// asking AgentBay again. Off unless called.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The in-process cache stays in front; an in-process miss asks the shared tier before AgentBay. Entries are keyed
    /// by endpoint, a one-way hash of the API key, session and link request, and live no longer than
    /// <see cref="LinkCacheOptions.TimeToLive"/> from when the link was fetched; deleting a session through any
    /// instance removes its links. If the app registered Data Protection (<c>IDataProtectionProvider</c>), stored
    /// values are encrypted with it. A failing cache never fails a call: links are fetched without it, one warning is
    /// logged, and it is tried again 30 s later. With <see cref="LinkCacheOptions.Enabled"/> false nothing is cached,
    /// in either tier.
    /// </para>
    /// <para>
    /// Links are bearer secrets: the distributed cache must be trusted like the API key. See the README's "Shared link
    /// cache" section for what is stored and when to turn this on.
    /// </para>
    /// </remarks>
    /// <param name="builder">The builder <c>AddAgentBay</c> or <c>AddKeyedAgentBay</c> returned.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="builder"/> is not the builder of an AgentBay client.</exception>
    public static IHttpClientBuilder WithSharedLinkCache(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(AgentBayRegistration)
                && descriptor.ImplementationInstance is AgentBayRegistration registration
                && string.Equals(registration.HttpClientName, builder.Name, StringComparison.Ordinal))
            {
                registration.CreateSharedLinks = static (services, options) => SharedLinkTierFactory.Create(services, options, TimeProvider.System);
                return builder;
            }
        }

        throw new InvalidOperationException(
            $"WithSharedLinkCache() applies to the builder AddAgentBay or AddKeyedAgentBay returns; the HttpClient '{builder.Name}' is not an AgentBay client's. Call it as services.AddAgentBay(...).WithSharedLinkCache().");
    }
}
