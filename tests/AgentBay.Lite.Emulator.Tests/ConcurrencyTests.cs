using System.Collections.Concurrent;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Parallel_creates_and_links_lose_and_duplicate_nothing()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);

        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => rpc.CreateSessionAsync())));
        Assert.Equal(200, ids.Distinct().Count());
        Assert.Equal(200, emulator.LiveSessionCount);

        var listed = new List<string>();
        string? next = null;
        do
        {
            var page = next is null
                ? await rpc.CallAsync("ListSession", ("MaxResults", "100"))
                : await rpc.CallAsync("ListSession", ("MaxResults", "100"), ("NextToken", next));
            page.AssertOk();
            Assert.Equal(200, page.Json.GetProperty("TotalCount").GetInt32());
            listed.AddRange(page.Data.EnumerateArray().Select(s => s.GetProperty("SessionId").GetString()!));
            next = page.Json.GetProperty("NextToken").GetString();
        }
        while (!string.IsNullOrEmpty(next));
        Assert.Equal(ids.Order(), listed.Order());

        var issued = new ConcurrentBag<(string Token, string Session)>();
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
        {
            var session = ids[i % ids.Length];
            var r = (await rpc.CallAsync("GetLink", ("SessionId", session), ("ProtocolType", "https"), ("Port", "30150"))).AssertOk();
            var url = r.Data.GetProperty("Url").GetString()!;
            issued.Add((url.Split('/')[4], session));
        })));

        Assert.Equal(1000, issued.Count);
        Assert.Equal(1000, issued.Select(t => t.Token).Distinct().Count());
        Assert.All(issued, t => Assert.Equal(t.Session, emulator.ResolveLinkToken(t.Token)));
        Assert.Equal(1000, emulator.GetRequestCount("GetLink"));
        Assert.Equal(200, emulator.GetRequestCount("CreateMcpSession"));
    }

    [Fact]
    public async Task Parallel_deletes_of_one_session_succeed_exactly_once()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => rpc.CallAsync("DeleteSessionAsync", ("SessionId", id)))));
        Assert.Single(results, r => r.Success);
        Assert.All(results.Where(r => !r.Success), r => r.AssertError("InvalidMcpSession.NotFound"));
    }
}
