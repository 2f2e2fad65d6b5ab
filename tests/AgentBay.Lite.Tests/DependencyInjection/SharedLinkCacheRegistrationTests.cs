using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary>How <c>WithSharedLinkCache()</c> is registered and what it says when it cannot work.</summary>
public sealed class SharedLinkCacheRegistrationTests
{
    [Fact]
    public void It_refuses_a_builder_that_is_not_an_AgentBay_clients()
    {
        var services = new ServiceCollection();
        IHttpClientBuilder other = services.AddHttpClient("mine");

        var error = Assert.Throws<InvalidOperationException>(() => other.WithSharedLinkCache());
        Assert.Contains("'mine'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddAgentBay(...).WithSharedLinkCache()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_IDistributedCache_resolving_the_client_says_what_to_register()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(o => o.ApiKey = "akm-test").WithSharedLinkCache();
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IAgentBayClient>());
        Assert.Contains("IDistributedCache", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddStackExchangeRedisCache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keyed_client_gets_the_tier_and_the_other_client_does_not()
    {
        var services = new ServiceCollection();
        var store = new CountingCache();
        services.AddSingleton<IDistributedCache>(store);
        services.AddAgentBay(o => o.ApiKey = "akm-plain");
        services.AddKeyedAgentBay("fleet", o => o.ApiKey = "akm-fleet").WithSharedLinkCache();
        await using ServiceProvider provider = services.BuildServiceProvider();

        // Deleting a session drops its links from every tier: only the keyed client touches the distributed cache.
        var plain = provider.GetRequiredService<AgentBayClient>();
        var fleet = provider.GetRequiredKeyedService<AgentBayClient>("fleet");
        await plain.Services.Links.ForgetAsync("s-1");
        Assert.Equal(0, store.Removals);
        await fleet.Services.Links.ForgetAsync("s-1");
        Assert.Equal(1 + (2 * 100), store.Removals); // CDP, and HTTPS and WSS for each of the 100 default ports
    }

    private sealed class CountingCache : IDistributedCache
    {
        private int _removals;

        public int Removals => Volatile.Read(ref _removals);

        public byte[]? Get(string key) => null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult<byte[]?>(null);

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => Interlocked.Increment(ref _removals);

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Interlocked.Increment(ref _removals);
            return Task.CompletedTask;
        }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.CompletedTask;
    }
}
