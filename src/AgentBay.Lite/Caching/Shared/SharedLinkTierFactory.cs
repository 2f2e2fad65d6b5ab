using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
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
    /// <remarks>
    /// The <see cref="HybridCache"/> is the tier's own, built in a small container of its own, not the app's: its
    /// distributed tier must be the guarded one (so a failing cache is seen, logged once and skipped) and its
    /// serializer for <see cref="SharedLinkEntry"/> must be ours, whatever the app's HybridCache is configured with.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The app registered no <see cref="IDistributedCache"/>.</exception>
    public static SharedLinkTier Create(IServiceProvider services, AgentBayOptions options, TimeProvider timeProvider)
    {
        IDistributedCache distributed = services.GetService<IDistributedCache>()
            ?? throw new InvalidOperationException(
                "WithSharedLinkCache() needs an IDistributedCache registered in the same container, e.g. services.AddStackExchangeRedisCache(o => o.Configuration = \"redis:6379\") from Microsoft.Extensions.Caching.StackExchangeRedis.");
        ILoggerFactory loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        ILogger logger = loggers.CreateLogger(SharedLinkCacheLog.Category);
        IDataProtector? protector = services.GetService<IDataProtectionProvider>()?.CreateProtector(SharedLinkSerializer.ProtectorPurpose);
        var guarded = new GuardedDistributedCache(distributed, logger, timeProvider);

        var own = new ServiceCollection();
        own.AddSingleton<IDistributedCache>(guarded);
        own.AddSingleton(loggers);
        own.AddSingleton(timeProvider);
        own.AddHybridCache().AddSerializer(new SharedLinkSerializer(protector));
        ServiceProvider provider = own.BuildServiceProvider();

        SharedLinkCacheLog.Enabled(logger, protector is not null);
        return new SharedLinkTier(
            provider.GetRequiredService<HybridCache>(),
            guarded,
            new SharedLinkKeys(options.GetBaseAddress(), options.ApiKey!),
            options.LinkCache.TimeToLive,
            timeProvider,
            owned: provider);
    }
}
