namespace AgentBay.Lite.Tests.Caching;

public sealed class LinkKeyTests
{
    [Theory]
    [InlineData("session-04bdwfj7u688ec96t")]
    [InlineData("short")]
    [InlineData("")]
    public void Equal_keys_have_equal_hashes_even_when_built_separately(string sessionId)
    {
        var a = new LinkKey(new string(sessionId.AsSpan()), LinkRequest.Https(30150));
        var b = new LinkKey(new string(sessionId.AsSpan()), LinkRequest.Https(30150));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Keys_differ_by_session_and_by_request()
    {
        var key = new LinkKey("session-04bdwfj7u688ec96t", LinkRequest.Https(30150));

        Assert.NotEqual(key, key with { SessionId = "session-04bdwfj7u688ec96u" });
        Assert.NotEqual(key, key with { Request = LinkRequest.Wss(30150) });
        Assert.NotEqual(key, key with { Request = LinkRequest.Https(30151) });
        Assert.NotEqual(key, key with { Request = LinkRequest.Cdp });
    }

    [Fact]
    public void Random_session_ids_spread_over_many_hash_values()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var random = new Random(1121);
        var hashes = new HashSet<int>();
        for (int i = 0; i < 10_000; i++)
        {
            string id = "session-" + new string(Enumerable.Range(0, 17).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            hashes.Add(new LinkKey(id, LinkRequest.Cdp).GetHashCode());
        }

        // Ten thousand random ids collide at most a handful of times under a sound 32-bit hash.
        Assert.True(hashes.Count > 9_990, $"{10_000 - hashes.Count} collisions");
    }

    [Fact]
    public void The_ports_of_one_session_get_distinct_hashes()
    {
        var hashes = Enumerable.Range(LinkPortRange.Default.Min, 100)
            .SelectMany(port => new LinkRequest[] { LinkRequest.Https(port), LinkRequest.Wss(port) })
            .Append(LinkRequest.Cdp)
            .Select(request => new LinkKey("session-04bdwfj7u688ec96t", request).GetHashCode())
            .ToHashSet();

        Assert.Equal(201, hashes.Count);
    }
}
