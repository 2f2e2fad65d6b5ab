using System.Diagnostics;
using AgentBay.Lite.Emulator;
using Xunit.Abstractions;

namespace AgentBay.Lite.IntegrationTests.Reliability;

/// <summary>
/// 10,000 link requests across 100 sessions with 10% injected failures and jittered latency: every request ends as a
/// success or a typed failure, and memory and sockets do not grow. Figures go to the test output.
/// </summary>
/// <remarks>
/// Memory is the whole process's, so the test runs alone (<see cref="RunsAlone"/>): run beside the other test
/// classes, their objects once added 13 MiB to the figure.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class SoakTests(EmulatorFixture fixture, ITestOutputHelper output) : IClassFixture<EmulatorFixture>
{
    private const int Sessions = 100;
    private const int Requests = 10_000;

    [Fact]
    public async Task Ten_thousand_link_requests_under_faults_are_all_accounted_for()
    {
        AgentBayEmulator emulator = fixture.Emulator;
        await using var client = fixture.CreateClient(o =>
        {
            o.LinkCache.Enabled = false; // every request goes to the wire
            o.Timeout = TimeSpan.FromSeconds(10);
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(5);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        });

        var sessions = new List<AgentBaySession>(Sessions);
        for (int i = 0; i < Sessions; i++)
        {
            sessions.Add(await client.CreateSessionAsync());
        }

        var requests = new List<LinkTarget>(Requests);
        for (int i = 0; i < Requests; i++)
        {
            requests.Add(new LinkTarget(sessions[i % Sessions].Id, LinkRequest.Https(30100 + (i / Sessions % 100))));
        }

        // Warm up (connections, JIT), then measure the baseline.
        await client.GetLinksAsync(requests.Take(500), new FanOutOptions { MaxConcurrency = 64 });
        (long memoryBefore, int socketsBefore) = Measure();

        emulator.Reseed(7);
        emulator.ResetRequestCounts();
        emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2)), "GetLink");
        emulator.SetFaults(
            new FaultProfile
            {
                ServiceUnavailableRate = 0.04,
                ServerErrorRate = 0.02,
                ThrottlingRate = 0.01,
                RetryAfter = TimeSpan.Zero,
                ConnectionResetRate = 0.02,
                MalformedJsonRate = 0.01,
            },
            "GetLink");

        // The results are checked inside RunAsync and dropped before the "after" measurement.
        (int succeeded, Dictionary<string, int> failures, TimeSpan elapsed) = await RunAsync(client, requests);
        emulator.ClearInjections();

        long wireRequests = emulator.GetRequestCount("GetLink");
        (long memoryAfter, int socketsAfter) = Measure();

        output.WriteLine($"{Requests} requests over {Sessions} sessions in {elapsed.TotalSeconds:0.00} s; {wireRequests} reached the emulator (retries included).");
        output.WriteLine($"Succeeded {succeeded}; failed {Requests - succeeded}: {string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}"))}.");
        output.WriteLine($"Managed memory after full GC: before {memoryBefore / 1024.0:0} KiB, after {memoryAfter / 1024.0:0} KiB (delta {(memoryAfter - memoryBefore) / 1024.0:0} KiB).");
        output.WriteLine($"Open sockets (socket: links in /proc/self/fd, client and in-process emulator): before {socketsBefore}, after {socketsAfter}.");

        // Retries turned most injected faults into successes; only malformed answers and the few unlucky retry chains fail.
        Assert.True(wireRequests > Requests, "faults were injected and retried");
        Assert.True(succeeded > Requests * 0.95, $"only {succeeded} succeeded");

        if (socketsBefore >= 0)
        {
            Assert.True(socketsAfter <= socketsBefore + 300, $"sockets grew from {socketsBefore} to {socketsAfter}");
        }

        // The in-process emulator keeps a token per issued link until its session is deleted (about 7 MiB here);
        // deleting the sessions separates that, the server's state, from anything the client might hold.
        foreach (AgentBaySession session in sessions)
        {
            await session.DisposeAsync();
        }

        (long memoryReleased, int socketsReleased) = Measure();
        output.WriteLine($"After deleting the sessions: {memoryReleased / 1024.0:0} KiB (delta from before {(memoryReleased - memoryBefore) / 1024.0:0} KiB), {socketsReleased} sockets.");

        // Nothing may accumulate per request: 128 bytes left by each of the 10,000 requests would break this bound.
        Assert.True(memoryReleased - memoryBefore < 1024 * 1024, $"memory grew by {(memoryReleased - memoryBefore) / 1024} KiB");
    }

    private static async Task<(int Succeeded, Dictionary<string, int> Failures, TimeSpan Elapsed)> RunAsync(
        AgentBayClient client, List<LinkTarget> requests)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<LinkResult> results = await client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 64 })
            .WaitAsync(TimeSpan.FromSeconds(55));
        clock.Stop();

        Assert.Equal(requests.Count, results.Count);
        int succeeded = 0;
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < results.Count; i++)
        {
            LinkResult result = results[i];
            Assert.Equal(requests[i].SessionId, result.SessionId);
            if (result.Succeeded)
            {
                succeeded++;
            }
            else
            {
                Assert.IsAssignableFrom<AgentBayException>(result.Error);
                string kind = result.Error!.GetType().Name;
                failures[kind] = failures.GetValueOrDefault(kind) + 1;
            }
        }

        return (succeeded, failures, clock.Elapsed);
    }

    private static (long Memory, int Sockets) Measure()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        long memory = GC.GetTotalMemory(forceFullCollection: true);
        return (memory, CountSockets());
    }

    private static int CountSockets()
    {
        if (!Directory.Exists("/proc/self/fd"))
        {
            return -1;
        }

        int count = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return count;
    }
}

/// <summary>A test collection that runs after the parallel test classes, on its own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
