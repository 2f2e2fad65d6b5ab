using AgentBay.Lite;

// AGENTBAY_API_KEY and AGENTBAY_ENDPOINT (e.g. an emulator: `agentbay-emulator --port 8910 --api-key akm-local`).
// Prints "first-link-unix-ns <ns> <link>" as soon as the link arrives, the timestamp the start-up measurement reads.
// The link prints with its token hidden (SessionLink.ToString()): a link URL is a bearer secret, unfit for logs.
try
{
    using var client = new AgentBayClient(AgentBayOptions.FromEnvironment());
    await using AgentBaySession session = await client.CreateSessionAsync();
    SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150));
    long unixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    Console.WriteLine($"first-link-unix-ns {unixNanoseconds} {link}");
    return 0;
}
catch (AgentBayException ex)
{
    Console.Error.WriteLine($"AgentBay failed: {ex.Message}");
    return 1;
}
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine($"Configuration error: {ex.Message}");
    return 2;
}
