using AgentBay.Lite.Emulator;
using AgentBay.Lite.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentBay.Lite.IntegrationTests.SharedLinkCache;

/// <summary>One real redis-server per test class, beside the emulator fixture.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    internal RedisServer Server => _server ?? throw new InvalidOperationException("redis-server has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>
/// The shared link tier as a fleet uses it: each "instance" is a client in a <see cref="ServiceProvider"/> of its own
/// (no memory shared), all against one emulator and one real redis-server; what reaches AgentBay is read from the
/// emulator's GetLink counter.
/// </summary>
public sealed class SharedLinkCacheTests(EmulatorFixture emulator, RedisFixture redis) : IClassFixture<EmulatorFixture>, IClassFixture<RedisFixture>
{
    private static readonly LinkRequest Https = LinkRequest.Https(30150);

    [Fact]
    public async Task A_link_one_instance_fetched_reaches_another_without_a_GetLink()
    {
        await using ServiceProvider first = NewInstance(redis.Server.Configuration);
        await using ServiceProvider second = NewInstance(redis.Server.Configuration);
        IAgentBayClient one = first.GetRequiredService<IAgentBayClient>();
        IAgentBayClient two = second.GetRequiredService<IAgentBayClient>();
        await using AgentBaySession session = await one.CreateSessionAsync();
        long before = GetLinks();

        SessionLink fetched = await one.GetLinkAsync(session.Id, Https);
        Assert.Equal(1, GetLinks() - before);

        SessionLink shared = await two.GetLinkAsync(session.Id, Https);
        Assert.Equal(1, GetLinks() - before); // nothing more reached AgentBay
        Assert.Equal(fetched.Url, shared.Url);
        Assert.Equal(fetched.RequestId, shared.RequestId);
        Assert.Equal(fetched.RetrievedAt.ToUnixTimeMilliseconds(), shared.RetrievedAt.ToUnixTimeMilliseconds());
        Assert.Equal(session.Id, emulator.Emulator.ResolveLinkToken(Links.LinkTests.TokenOf(shared.Url)));

        Assert.Equal(1, one.GetLinkCacheStatistics().SharedMisses);
        Assert.Equal(0, one.GetLinkCacheStatistics().SharedHits);
        Assert.Equal(1, two.GetLinkCacheStatistics().SharedHits);
        Assert.Equal(0, two.GetLinkCacheStatistics().SharedMisses);

        // What the server holds is keyed by a hash of the account, never the API key itself.
        IReadOnlyList<string> keys = await redis.Server.KeysAsync("*" + session.Id + "*");
        string key = Assert.Single(keys);
        Assert.StartsWith("agentbay-lite:link:v1:", key, StringComparison.Ordinal);
        Assert.EndsWith(":" + session.Id + ":https:30150", key, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Emulator.ApiKey, key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_session_through_one_instance_removes_its_links_for_the_others()
    {
        await using ServiceProvider deleter = NewInstance(redis.Server.Configuration);
        await using ServiceProvider reader = NewInstance(redis.Server.Configuration);
        await using ServiceProvider late = NewInstance(redis.Server.Configuration);
        IAgentBayClient one = deleter.GetRequiredService<IAgentBayClient>();
        AgentBaySession session = await one.CreateSessionAsync();
        await one.GetLinkAsync(session.Id, Https);
        await one.GetLinkAsync(session.Id, LinkRequest.Wss(30160));
        long before = GetLinks();

        // The shared tier holds both: another instance gets one without a GetLink.
        await reader.GetRequiredService<IAgentBayClient>().GetLinkAsync(session.Id, Https);
        Assert.Equal(0, GetLinks() - before);
        Assert.Equal(2, (await redis.Server.KeysAsync("*" + session.Id + "*")).Count);

        await one.DeleteSessionAsync(session.Id);
        Assert.Empty(await redis.Server.KeysAsync("*" + session.Id + "*"));

        // An instance asking now reaches AgentBay, which no longer knows the session: no stale link from the cache.
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await late.GetRequiredService<IAgentBayClient>().GetLinkAsync(session.Id, Https));
        Assert.Equal(1, GetLinks() - before);
    }

    [Fact]
    public async Task With_the_cache_down_calls_succeed_by_fetching_and_one_warning_is_logged()
    {
        var logs = new RecordingLoggerProvider();
        string nothingListens = $"127.0.0.1:{RedisServer.FreePort()},connectTimeout=2000";
        await using ServiceProvider instance = NewInstance(nothingListens, logs);
        IAgentBayClient client = instance.GetRequiredService<IAgentBayClient>();
        await using AgentBaySession session = await client.CreateSessionAsync();
        long before = GetLinks();

        // Three distinct links, each asked twice: every first ask is fetched, every second one is an in-process hit.
        LinkRequest[] requests = [LinkRequest.Https(30150), LinkRequest.Https(30151), LinkRequest.Wss(30152)];
        foreach (LinkRequest request in requests)
        {
            SessionLink link = await client.GetLinkAsync(session.Id, request);
            Assert.Same(link, await client.GetLinkAsync(session.Id, request));
            Assert.Equal(session.Id, emulator.Emulator.ResolveLinkToken(Links.LinkTests.TokenOf(link.Url)));
        }

        await client.DeleteSessionAsync(session.Id); // removing from a cache that is down does not fail the delete either

        Assert.Equal(3, GetLinks() - before);
        Assert.Equal(3, client.GetLinkCacheStatistics().SharedMisses);
        var warnings = logs.Records.Where(record => record.Level >= LogLevel.Warning).ToList();
        var warning = Assert.Single(warnings);
        Assert.Equal("AgentBay.Lite.SharedLinkCache", warning.Category);
        Assert.Equal("SharedLinkCacheUnavailable", warning.Id.Name);
        Assert.DoesNotContain(emulator.Emulator.ApiKey, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stampede_of_instances_sends_a_handful_of_GetLinks_not_one_per_instance()
    {
        const int Instances = 24;
        var providers = Enumerable.Range(0, Instances).Select(_ => NewInstance(redis.Server.Configuration)).ToArray();
        try
        {
            IAgentBayClient[] clients = providers.Select(p => p.GetRequiredService<IAgentBayClient>()).ToArray();
            await using AgentBaySession session = await clients[0].CreateSessionAsync();

            // Connect every instance to Redis first (a miss on another link), so the stampede measures the lease, not
            // 24 connection handshakes.
            await Task.WhenAll(clients.Select(c => c.GetLinkAsync(session.Id, LinkRequest.Https(30199)).AsTask()));
            long before = GetLinks();
            long sharedHitsBefore = clients.Sum(c => c.GetLinkCacheStatistics().SharedHits);

            // A GetLink of 300 ms: all instances miss while the first fetch is in flight.
            emulator.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(300)), "GetLink");
            SessionLink[] links;
            try
            {
                var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task<SessionLink>[] callers = clients.Select(c => Task.Run(async () =>
                {
                    await go.Task;
                    return await c.GetLinkAsync(session.Id, Https);
                })).ToArray();
                go.SetResult();
                links = await Task.WhenAll(callers);
            }
            finally
            {
                emulator.Emulator.ClearInjections();
            }

            long sent = GetLinks() - before;
            long sharedHits = clients.Sum(c => c.GetLinkCacheStatistics().SharedHits) - sharedHitsBefore;

            // Only instances whose lease read-and-write falls in the same Redis round trip can each think they hold
            // the lease (there is no atomic add in IDistributedCache); on this machine that is a few, never 24.
            Assert.InRange(sent, 1, 4);
            Assert.Equal(Instances - sent, sharedHits);
            Assert.All(links, link => Assert.Equal(session.Id, emulator.Emulator.ResolveLinkToken(Links.LinkTests.TokenOf(link.Url))));
        }
        finally
        {
            foreach (ServiceProvider provider in providers)
            {
                await provider.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task With_Data_Protection_registered_the_stored_link_is_encrypted_and_instances_sharing_the_key_read_it()
    {
        // One key ring for the fleet (in production: AddDataProtection().PersistKeysTo... shared by every instance).
        var keyRing = new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider();
        await using ServiceProvider first = NewInstance(redis.Server.Configuration, protection: keyRing);
        await using ServiceProvider second = NewInstance(redis.Server.Configuration, protection: keyRing);
        await using ServiceProvider plain = NewInstance(redis.Server.Configuration);
        IAgentBayClient one = first.GetRequiredService<IAgentBayClient>();
        await using AgentBaySession session = await one.CreateSessionAsync();
        long before = GetLinks();

        SessionLink fetched = await one.GetLinkAsync(session.Id, Https);
        string token = Links.LinkTests.TokenOf(fetched.Url);
        byte[] stored = Assert.IsType<byte[]>(await redis.Server.GetCachedBytesAsync(Assert.Single(await redis.Server.KeysAsync("*" + session.Id + "*"))));
        Assert.DoesNotContain(token, System.Text.Encoding.Latin1.GetString(stored), StringComparison.Ordinal);

        Assert.Equal(fetched.Url, (await second.GetRequiredService<IAgentBayClient>().GetLinkAsync(session.Id, Https)).Url);
        Assert.Equal(1, GetLinks() - before);

        // An instance without the key cannot read the entry: a miss, fetched, never a failure or garbage.
        IAgentBayClient outsider = plain.GetRequiredService<IAgentBayClient>();
        Assert.Equal(session.Id, emulator.Emulator.ResolveLinkToken(Links.LinkTests.TokenOf((await outsider.GetLinkAsync(session.Id, Https)).Url)));
        Assert.Equal(2, GetLinks() - before);
        Assert.Equal(1, outsider.GetLinkCacheStatistics().SharedMisses);

        // And what it stored in clear does hold the token: the check above can fail.
        byte[] clear = Assert.IsType<byte[]>(await redis.Server.GetCachedBytesAsync(Assert.Single(await redis.Server.KeysAsync("*" + session.Id + "*"))));
        Assert.Contains(Links.LinkTests.TokenOf((await outsider.GetLinkAsync(session.Id, Https)).Url), System.Text.Encoding.Latin1.GetString(clear), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_WithSharedLinkCache_nothing_is_stored()
    {
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o => o.Configuration = redis.Server.Configuration);
        services.AddAgentBay(o =>
        {
            o.ApiKey = emulator.Emulator.ApiKey;
            o.Endpoint = emulator.Emulator.Endpoint;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        IAgentBayClient client = provider.GetRequiredService<IAgentBayClient>();
        await using AgentBaySession session = await client.CreateSessionAsync();

        await client.GetLinkAsync(session.Id, Https);

        Assert.Empty(await redis.Server.KeysAsync("*" + session.Id + "*"));
        Assert.Equal(0, client.GetLinkCacheStatistics().SharedMisses);
    }

    private long GetLinks() => emulator.Emulator.GetRequestCount("GetLink");

    /// <summary>One fleet instance: its own container, HTTP stack, in-process cache and Redis connection.</summary>
    private ServiceProvider NewInstance(
        string redisConfiguration, ILoggerProvider? logs = null, Microsoft.AspNetCore.DataProtection.IDataProtectionProvider? protection = null)
    {
        var services = new ServiceCollection();
        if (protection is not null)
        {
            services.AddSingleton(protection);
        }

        services.AddLogging(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                builder.AddProvider(logs);
            }
        });
        services.AddStackExchangeRedisCache(o => o.Configuration = redisConfiguration);
        services.AddAgentBay(o =>
        {
            o.ApiKey = emulator.Emulator.ApiKey;
            o.Endpoint = emulator.Emulator.Endpoint;
        }).WithSharedLinkCache();
        return services.BuildServiceProvider();
    }
}
