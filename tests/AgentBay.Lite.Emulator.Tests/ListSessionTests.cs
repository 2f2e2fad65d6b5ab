using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>Each test starts its own emulator: ListSession sees every session of the server.</summary>
public sealed class ListSessionTests
{
    private static string[] Ids(RpcResponse r) => r.Data.EnumerateArray().Select(s => s.GetProperty("SessionId").GetString()!).ToArray();

    [Fact]
    public async Task Paging_walks_every_session_once_with_TotalCount_and_a_final_empty_NextToken()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await rpc.CreateSessionAsync());
        }

        var seen = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var r = next is null
                ? await rpc.CallAsync("ListSession", ("Labels", "{}"), ("MaxResults", "3"))
                : await rpc.CallAsync("ListSession", ("Labels", "{}"), ("MaxResults", "3"), ("NextToken", next));
            r.AssertOk();
            Assert.Equal(7, r.Json.GetProperty("TotalCount").GetInt32());
            Assert.Equal(3, r.Json.GetProperty("MaxResults").GetInt32());
            Assert.All(r.Data.EnumerateArray(), s => Assert.Equal("RUNNING", s.GetProperty("SessionStatus").GetString()));
            seen.AddRange(Ids(r));
            next = r.Json.GetProperty("NextToken").GetString();
            pages++;
        }
        while (!string.IsNullOrEmpty(next));

        Assert.Equal(3, pages);
        Assert.Equal(created, seen); // creation order, no duplicates, nothing lost
    }

    [Fact]
    public async Task Paging_survives_a_delete_between_pages()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var created = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            created.Add(await rpc.CreateSessionAsync());
        }

        var first = (await rpc.CallAsync("ListSession", ("MaxResults", "2"))).AssertOk();
        Assert.Equal(created[..2], Ids(first));
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", created[0]))).AssertOk();
        var second = (await rpc.CallAsync("ListSession", ("MaxResults", "2"), ("NextToken", first.Json.GetProperty("NextToken").GetString()!))).AssertOk();
        Assert.Equal(created[2..], Ids(second));
        Assert.Equal(3, second.Json.GetProperty("TotalCount").GetInt32());
    }

    [Fact]
    public async Task Label_filter_matches_sessions_having_all_filter_labels()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var both = await rpc.CreateSessionAsync(("Labels", """{"project":"demo","env":"test","extra":"x"}"""));
        var projectOnly = await rpc.CreateSessionAsync(("Labels", """{"project":"demo"}"""));
        var otherEnv = await rpc.CreateSessionAsync(("Labels", """{"project":"demo","env":"prod"}"""));
        var none = await rpc.CreateSessionAsync();

        var r = (await rpc.CallAsync("ListSession", ("Labels", """{"project": "demo", "env": "test"}"""))).AssertOk();
        Assert.Equal([both], Ids(r));
        Assert.Equal(1, r.Json.GetProperty("TotalCount").GetInt32());

        var project = (await rpc.CallAsync("ListSession", ("Labels", """{"project":"demo"}"""))).AssertOk();
        Assert.Equal([both, projectOnly, otherEnv], Ids(project));

        var all = (await rpc.CallAsync("ListSession", ("Labels", "{}"))).AssertOk();
        Assert.Equal([both, projectOnly, otherEnv, none], Ids(all));
    }

    [Fact]
    public async Task Status_filter_lists_running_sessions_only_for_RUNNING()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        Assert.Equal([id], Ids((await rpc.CallAsync("ListSession", ("Status", "RUNNING"))).AssertOk()));
        var paused = (await rpc.CallAsync("ListSession", ("Status", "PAUSED"))).AssertOk();
        Assert.Empty(paused.Data.EnumerateArray());
        Assert.Equal(0, paused.Json.GetProperty("TotalCount").GetInt32());
        (await rpc.CallAsync("ListSession", ("Status", "SLEEPING"))).AssertError("InvalidParameter.Status");
    }

    [Fact]
    public async Task Deleted_and_released_sessions_are_not_listed()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var keep = await rpc.CreateSessionAsync();
        var deleted = await rpc.CreateSessionAsync();
        var released = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", deleted))).AssertOk();
        (await rpc.CallAsync("ReleaseMcpSession", ("SessionId", released))).AssertOk();
        var r = (await rpc.CallAsync("ListSession")).AssertOk();
        Assert.Equal([keep], Ids(r));
        Assert.Equal(JsonValueKind.Array, r.Data.ValueKind);
    }

    [Theory]
    [InlineData("MaxResults", "-3", "InvalidParameter.MaxResults")]
    [InlineData("MaxResults", "0", "InvalidParameter.MaxResults")]
    [InlineData("MaxResults", "ten", "InvalidParameter.MaxResults")]
    [InlineData("MaxResults", "101", "InvalidParameter.MaxResults")]
    [InlineData("NextToken", "token-page2", "InvalidParameter.NextToken")]
    [InlineData("Labels", "not-json", "InvalidParameter.Labels")]
    [InlineData("Labels", "[\"a\"]", "InvalidParameter.Labels")]
    [InlineData("Labels", "{\"a\":1}", "InvalidParameter.Labels")]
    public async Task Bad_list_parameters_are_refused(string field, string value, string code)
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var r = (await rpc.CallAsync("ListSession", (field, value))).AssertError(code);
        Assert.Contains(field, r.Message);
    }
}
