using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.Benchmarks;

/// <summary>Helpers for the benchmarks that run the SDK against the in-process emulator.</summary>
internal static class EmulatorLinks
{
    /// <summary>An SDK client on the emulator with the link cache off, so every link is a GetLink round trip.</summary>
    public static AgentBayClient CreateUncachedClient(AgentBayEmulator emulator) => new(new AgentBayOptions
    {
        ApiKey = emulator.ApiKey,
        Endpoint = emulator.Endpoint,
        LinkCache = { Enabled = false },
    });

    /// <summary>
    /// Creates sessions and returns <paramref name="count"/> distinct (session, link) pairs: every HTTPS and WSS port
    /// of each session (200 per session), so no two requests in a batch are the same.
    /// </summary>
    public static async Task<(string SessionId, LinkRequest Request)[]> DistinctLinksAsync(AgentBayClient client, int count)
    {
        var links = new List<(string, LinkRequest)>(count);
        while (links.Count < count)
        {
            var session = await client.CreateSessionAsync().ConfigureAwait(false);
            for (var port = LinkRequest.MinPort; port <= LinkRequest.MaxPort && links.Count < count; port++)
            {
                links.Add((session.Id, LinkRequest.Https(port)));
                if (links.Count < count)
                {
                    links.Add((session.Id, LinkRequest.Wss(port)));
                }
            }
        }

        return [.. links];
    }

    /// <summary>Throws unless every result is a link.</summary>
    public static void ThrowIfAnyFailed(IReadOnlyList<LinkResult> results, int expected)
    {
        if (results.Count != expected)
        {
            throw new InvalidOperationException($"Expected {expected} results, got {results.Count}.");
        }

        foreach (var result in results)
        {
            if (!result.Succeeded)
            {
                throw new InvalidOperationException("A link request failed: " + result, result.Error);
            }
        }
    }
}
