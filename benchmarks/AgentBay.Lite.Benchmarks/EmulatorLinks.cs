using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.Benchmarks;

/// <summary>Helpers for the benchmarks that run the SDK against the in-process emulator.</summary>
internal static class EmulatorLinks
{
    /// <summary>wrk-getlink.lua's path and query.</summary>
    private const string RawGetLinkPath =
        "/?Action=GetLink&Format=json&Version=2025-05-06&Timestamp=2026-11-21T15%3A59%3A16Z&SignatureNonce=d5e3e03b498abd70508025019cadc7b8";

    /// <summary>An SDK client on the emulator with the link cache off, so every link is a GetLink round trip.</summary>
    public static AgentBayClient CreateUncachedClient(AgentBayEmulator emulator) => CreateUncachedClient(emulator.Endpoint, emulator.ApiKey);

    /// <summary>An SDK client on an emulator at <paramref name="endpoint"/> with the link cache off.</summary>
    public static AgentBayClient CreateUncachedClient(Uri endpoint, string apiKey) => new(new AgentBayOptions
    {
        ApiKey = apiKey,
        Endpoint = endpoint,
        LinkCache = { Enabled = false },
    });

    /// <summary>
    /// Creates sessions and returns <paramref name="count"/> distinct (session, link) pairs: every HTTPS and WSS port
    /// of each session (200 per session), so no two requests in a batch are the same.
    /// </summary>
    public static async Task<LinkTarget[]> DistinctLinksAsync(AgentBayClient client, int count)
    {
        var links = new List<LinkTarget>(count);
        while (links.Count < count)
        {
            var session = await client.CreateSessionAsync().ConfigureAwait(false);
            for (var port = LinkPortRange.Default.Min; port <= LinkPortRange.Default.Max && links.Count < count; port++)
            {
                links.Add(new LinkTarget(session.Id, LinkRequest.Https(port)));
                if (links.Count < count)
                {
                    links.Add(new LinkTarget(session.Id, LinkRequest.Wss(port)));
                }
            }
        }

        return [.. links];
    }

    /// <summary>The GetLink form bodies for <paramref name="links"/>, for a plain <see cref="HttpClient"/> to post.</summary>
    public static byte[][] RawGetLinkForms(LinkTarget[] links, string apiKey) =>
        links.Select(link => System.Text.Encoding.UTF8.GetBytes(link.Request switch
        {
            LinkRequest.HttpsLink https => $"Authorization=Bearer%20{apiKey}&SessionId={link.SessionId}&ProtocolType=https&Port={https.Port}",
            LinkRequest.WssLink wss => $"Authorization=Bearer%20{apiKey}&SessionId={link.SessionId}&Port={wss.Port}",
            _ => $"Authorization=Bearer%20{apiKey}&SessionId={link.SessionId}",
        })).ToArray();

    /// <summary>
    /// The floor under the SDK: posts every form as a GetLink from a plain <see cref="HttpClient"/> on
    /// <paramref name="concurrency"/> workers, reading each answer's bytes and checking only the status. The request is
    /// the one <c>wrk-getlink.lua</c> sends (the same query, a fixed Timestamp and SignatureNonce, the x-acs headers),
    /// so the server does the same work for it as for wrk and the SDK.
    /// </summary>
    public static async Task PostRawGetLinksAsync(HttpClient client, byte[][] forms, int concurrency)
    {
        var next = -1;
        var workers = new Task[concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < forms.Length)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, RawGetLinkPath) { Content = new ByteArrayContent(forms[index]) };
                    request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
                    request.Headers.TryAddWithoutValidation("x-acs-version", "2025-05-06");
                    request.Headers.TryAddWithoutValidation("x-acs-action", "GetLink");
                    using var response = await client.SendAsync(request);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"GetLink answered {(int)response.StatusCode}");
                    }

                    await response.Content.ReadAsByteArrayAsync();
                }
            });
        }

        await Task.WhenAll(workers);
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
