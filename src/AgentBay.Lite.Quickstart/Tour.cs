using System.Diagnostics;

namespace AgentBay.Lite.Quickstart;

/// <summary>A step of the tour produced something other than what it should have.</summary>
internal sealed class TourException(string message) : Exception(message);

/// <summary>The Session Link guide's use cases, one short report line each.</summary>
internal static class Tour
{
    private const int WebPort = 30150;
    private const int WssPort = 30180;
    private const string Indent = "   ";

    /// <summary>How long a service started in a session may take to answer on its link (instead of the guides' sleeps).</summary>
    private static readonly TimeSpan ServiceStartTimeout = TimeSpan.FromSeconds(30);

    /// <param name="client">The client.</param>
    /// <param name="service">The service the client speaks (AgentBay or AGB), which picks the image names.</param>
    /// <param name="watch">Keep the sessions open after the tour until Enter, so the live view can be watched and steered.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    public static async Task RunAsync(AgentBayClient client, AgentBayService service, bool watch, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var sessions = new List<AgentBaySession>();
        try
        {
            Console.WriteLine();

            // 1. A browser session: its Chrome DevTools Protocol link, opened to ask the browser what it is.
            // The same tour on either service; only the image names differ.
            var (browserImage, linuxImage) = service == AgentBayService.Agb ? ("agb-browser-use-1", "agb-code-space-1") : ("browser_latest", "linux_latest");
            AgentBaySession browser = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = browserImage }, cancellationToken);
            sessions.Add(browser);
            Step(1, "Browser session", $"{browser.Id} ({browserImage})");
            try
            {
                SessionLink cdp = await browser.GetLinkAsync(LinkRequest.Cdp, cancellationToken);
                Detail("CDP link", cdp);
                Detail("opened it", $"{await LinkUse.BrowserVersionAsync(cdp.Url, cancellationToken)} (Browser.getVersion over the link)");
            }
            catch (AgentBayException ex) when (ex.Code?.EndsWith("BrowserUnavailable", StringComparison.Ordinal) == true)
            {
                // The emulator runs Debian's Chromium for browser sessions; without it, say how to get one and go on.
                Detail("no browser", ex.ServerMessage ?? ex.Message);
            }

            // 2. A web app: write /tmp/index.html, serve it on port 30150, and fetch it through its HTTPS link.
            AgentBaySession web = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = linuxImage }, cancellationToken);
            sessions.Add(web);
            await web.Files.WriteAsync("/tmp/index.html", "<h1>Hello from an AgentBay session</h1>\n<p>Served by python3 -m http.server inside the session, fetched through its HTTPS link.</p>\n", cancellationToken);
            await StartAsync(web, $"cd /tmp && python3 -m http.server {WebPort}", cancellationToken);
            Step(2, "Web app session", $"{web.Id} ({linuxImage}): wrote /tmp/index.html, started `python3 -m http.server {WebPort}`");
            SessionLink https = await web.GetLinkAsync(LinkRequest.Https(WebPort), cancellationToken);
            Detail($"HTTPS link :{WebPort}", https);
            await https.WaitUntilReachableAsync(ServiceStartTimeout, cancellationToken);
            Detail("fetched it", await LinkUse.FirstLineAsync(https.Url, cancellationToken));

            // 3. Any other service: a WebSocket echo service on port 30180, reached through its WSS link.
            await web.Files.WriteAsync("/tmp/echo.py", LinkUse.EchoServerScript, cancellationToken);
            await StartAsync(web, $"python3 /tmp/echo.py {WssPort}", cancellationToken);
            SessionLink wss = await web.GetLinkAsync(LinkRequest.Wss(WssPort), cancellationToken);
            Step(3, $"WSS link :{WssPort}", wss);
            await wss.WaitUntilReachableAsync(ServiceStartTimeout, cancellationToken);
            Detail("echoed", await LinkUse.EchoAsync(wss.Url, "hello through the link", cancellationToken));

            // 4. Session details, with the browser session's resource URL: a live view of it for a person to open. It is a
            //    bearer link to the session, printed here on purpose (the SDK itself never logs or prints it).
            SessionInfo info = await browser.GetInfoAsync(cancellationToken);
            Step(4, "Session info", $"{info.ResourceType ?? "?"} resource {info.ResourceId ?? "?"} of {browser.Id}");
            if (info.ResourceUrl is not null)
            {
                string until = watch ? "" : " while the tour runs (add --watch to keep the sessions open)";
                Detail("live view", info.ResourceUrl);
                Detail("", $"open this in a browser{until}; it expires at {info.ResourceUrlExpiresAt:HH:mm:ss} UTC");
            }

            // 4b. Code streamed over the web session's ws_url: each chunk arrives as the program prints it.
            if (web.WsUrl is not null)
            {
                int chunks = 0;
                string output = "";
                await foreach (CodeEvent e in web.Code.StreamAsync("import time\nfor i in range(3):\n    print(i)\n    time.sleep(0.1)", cancellationToken: cancellationToken))
                {
                    if (e.Kind == CodeEventKind.Stdout)
                    {
                        chunks++;
                        output += e.Text;
                    }
                    else if (e.Kind == CodeEventKind.End && e.Succeeded != true)
                    {
                        throw new TourException("The streamed program failed: " + e.Text);
                    }
                }

                Detail("streamed code (ws_url)", $"printed {output.Replace('\n', ' ').Trim()} in {chunks} chunks, each as it was printed");
            }

            // 5. 200 links in parallel (100 ports on each session), then the same 200 again from the cache.
            var batch = new List<LinkTarget>(200);
            for (int port = LinkPortRange.Default.Min; port <= LinkPortRange.Default.Max; port++)
            {
                batch.Add(new LinkTarget(browser.Id, LinkRequest.Https(port)));
                batch.Add(new LinkTarget(web.Id, LinkRequest.Wss(port)));
            }

            LinkCacheStatistics before = client.GetLinkCacheStatistics();
            (int ok, int failed, TimeSpan elapsed) = await FetchAsync(client, batch, showProgress: true, cancellationToken);
            Step(5, $"{batch.Count} links in parallel", $"{ok} ok, {failed} failed in {Format(elapsed)} ({batch.Count / elapsed.TotalSeconds:0} links/s)");

            LinkCacheStatistics middle = client.GetLinkCacheStatistics();
            (int okAgain, int failedAgain, TimeSpan elapsedAgain) = await FetchAsync(client, batch, showProgress: false, cancellationToken);
            LinkCacheStatistics after = client.GetLinkCacheStatistics();
            Detail("again, from the cache", $"{okAgain} ok, {failedAgain} failed in {Format(elapsedAgain)}: {after.Hits - middle.Hits} cache hits, {after.Misses - middle.Misses} misses (first pass: {middle.Misses - before.Misses} misses)");
            if (failed + failedAgain > 0)
            {
                throw new TourException($"{failed + failedAgain} of {2 * batch.Count} links failed.");
            }

            if (watch)
            {
                Console.WriteLine();
                Console.WriteLine("Watching: the sessions stay open until you press Enter (or Ctrl+C); the live view above works until then.");
                await Console.In.ReadLineAsync(cancellationToken);
            }

            // 6. Delete the sessions (disposing one does the same).
            var deleting = Stopwatch.StartNew();
            await Task.WhenAll(sessions.Select(s => s.DeleteAsync(cancellationToken)));
            Step(6, "Deleted", $"{sessions.Count} sessions in {Format(deleting.Elapsed)}");
            sessions.Clear();

            Console.WriteLine();
            Console.WriteLine($"Done in {Format(total.Elapsed)}.");
        }
        finally
        {
            // After a failure, still try to leave nothing running.
            foreach (AgentBaySession session in sessions)
            {
                try
                {
                    await session.DisposeAsync();
                }
                catch (AgentBayException)
                {
                    // Best effort: the failure that got us here is what the user needs to see.
                }
            }
        }
    }

    /// <summary>Creates a session, prints its first link with a wall-clock timestamp (Unix ns), then deletes it.</summary>
    public static async Task FirstLinkAsync(AgentBayClient client, CancellationToken cancellationToken)
    {
        await using AgentBaySession session = await client.CreateSessionAsync(cancellationToken: cancellationToken);
        SessionLink link = await session.GetLinkAsync(LinkRequest.Https(WebPort), cancellationToken);
        long unixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Console.WriteLine($"first-link-unix-ns {unixNanoseconds} {link.Url}");
    }

    private static async Task<(int Ok, int Failed, TimeSpan Elapsed)> FetchAsync(
        AgentBayClient client, List<LinkTarget> batch, bool showProgress, CancellationToken cancellationToken)
    {
        bool progress = showProgress && !Console.IsOutputRedirected;
        int ok = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        await foreach (LinkResult result in client.StreamLinksAsync(batch, cancellationToken: cancellationToken))
        {
            if (result.Succeeded)
            {
                ok++;
            }
            else
            {
                failed++;
            }

            int done = ok + failed;
            if (progress && (done % 10 == 0 || done == batch.Count))
            {
                int filled = done * 30 / batch.Count;
                Console.Write($"\r{Indent}[{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{batch.Count}");
            }
        }

        watch.Stop();
        if (progress)
        {
            Console.Write($"\r{new string(' ', 50)}\r");
        }

        return (ok, failed, watch.Elapsed);
    }

    /// <summary>Starts a long-running command in the background of a session, its output discarded.</summary>
    private static async Task StartAsync(AgentBaySession session, string command, CancellationToken cancellationToken)
    {
        CommandResult started = await session.Commands.ExecuteAsync($"({command}) >/dev/null 2>&1 &", cancellationToken);
        if (!started.Succeeded)
        {
            throw new TourException($"`{command}` exited with {started.ExitCode}: {started.Output.Trim()}");
        }
    }

    private static void Step(int number, string what, object detail) => Console.WriteLine($"{number}. {what,-24} {detail}");

    private static void Detail(string what, object detail) => Console.WriteLine($"{Indent}{what,-24} {detail}");

    private static string Format(TimeSpan elapsed) =>
        elapsed.TotalSeconds >= 1 ? $"{elapsed.TotalSeconds:0.00} s" : $"{elapsed.TotalMilliseconds:0.0} ms";
}
