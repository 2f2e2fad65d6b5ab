using System.Net;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Rpc;

/// <summary>
/// ListSession's <c>Data</c> is an array on success, but a failure envelope may carry <c>"Data":{}</c> (as every error
/// of the emulator does). The failure must still come out as its typed exception, not as an unreadable answer.
/// </summary>
public sealed class ListSessionFailureTests
{
    [Fact]
    public async Task A_refused_key_with_an_empty_object_as_data_is_an_authentication_exception()
    {
        using var host = new RpcTestHost().Answer(
            """{"RequestId":"r1","Success":false,"Code":"NOT_LOGIN","Message":"You are not logged in or your login token has expired","HttpStatusCode":400,"Data":{}}""",
            HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<AgentBayAuthenticationException>(
            () => host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, null), CancellationToken.None));

        Assert.Equal("NOT_LOGIN", error.Code);
        Assert.Equal("r1", error.RequestId);
    }

    [Fact]
    public async Task A_refused_filter_with_an_empty_object_as_data_carries_the_services_code()
    {
        using var host = new RpcTestHost().Answer(
            """{"RequestId":"r2","Success":false,"Code":"InvalidParameter.Status","Message":"Status must be one of RUNNING","HttpStatusCode":400,"Data":{}}""",
            HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<AgentBayException>(
            () => host.Backend.ListSessionsAsync(new SessionListing(null, "SLEEPING", 10, null), CancellationToken.None));

        Assert.Equal(typeof(AgentBayException), error.GetType());
        Assert.Equal("InvalidParameter.Status", error.Code);
        Assert.Equal("Status must be one of RUNNING", error.ServerMessage);
    }

    [Fact]
    public async Task A_success_with_an_empty_object_as_data_is_an_empty_page()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"r3","Success":true,"Data":{},"NextToken":"","TotalCount":0}""");

        var page = await host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, null), CancellationToken.None);

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task A_success_with_a_non_empty_object_as_data_is_still_unreadable()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"r4","Success":true,"Data":{"SessionId":"s-1"}}""");

        await Assert.ThrowsAsync<AgentBayProtocolException>(
            () => host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, null), CancellationToken.None));
    }
}
