using AgentBay.Lite;

// AGENTBAY_API_KEY and AGENTBAY_ENDPOINT (e.g. an emulator: `agentbay-emulator --port 8910 --api-key akm-local`).
// Prints "first-link-unix-ns <ns> <url>" as soon as the link arrives, the timestamp the start-up measurement reads.
try
{
    using var client = new AgentBayClient(AgentBayOptions.FromEnvironment());
    await using AgentBaySession session = await client.CreateSessionAsync();
    SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150));
    long unixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    Console.WriteLine($"first-link-unix-ns {unixNanoseconds} {link.Url}");
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
