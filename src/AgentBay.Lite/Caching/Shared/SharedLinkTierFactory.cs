using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentBay.Lite.Caching.Shared;

/// <summary>Builds a client's <see cref="SharedLinkTier"/> from what the app registered.</summary>
internal static class SharedLinkTierFactory
{
    /// <summary>
    /// The tier over the app's <see cref="IDistributedCache"/>, logging through its <see cref="ILoggerFactory"/> and
    /// encrypting through its <see cref="IDataProtectionProvider"/> if there is one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The app registered no <see cref="IDistributedCache"/>.</exception>
    public static SharedLinkTier Create(IServiceProvider services, AgentBayOptions options, TimeProvider timeProvider)
    {
        IDistributedCache distributed = services.GetService<IDistributedCache>()
            ?? throw new InvalidOperationException(
                "WithSharedLinkCache() needs an IDistributedCache registered in the same container, e.g. services.AddStackExchangeRedisCache(o => o.Configuration = \"redis:6379\") from Microsoft.Extensions.Caching.StackExchangeRedis.");
        ILoggerFactory loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        ILogger logger = loggers.CreateLogger(SharedLinkCacheLog.Category);
        IDataProtector? protector = services.GetService<IDataProtectionProvider>()?.CreateProtector(SharedLinkSerializer.ProtectorPurpose);

        SharedLinkCacheLog.Enabled(logger, protector is not null);
        return new SharedLinkTier(
            new GuardedDistributedCache(distributed, logger, timeProvider),
            new SharedLinkSerializer(protector),
            new SharedLinkKeys(options.GetBaseAddress(), options.ApiKey!),
            options.LinkCache.TimeToLive,
            timeProvider);
    }
}
