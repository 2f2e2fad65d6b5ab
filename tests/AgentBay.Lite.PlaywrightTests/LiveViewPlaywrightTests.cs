using System.Globalization;
using System.Net;
using AgentBay.Lite.Emulator;
using Microsoft.Playwright;

namespace AgentBay.Lite.PlaywrightTests;

/// <summary>
/// Issue 20: a session's resource URL opens a live view of it. A second, ordinary Chromium (the person's browser,
/// Debian's, launched by Playwright) opens the URL; the session's own browser is driven over its CDP link to show
/// a known page, so the test can see that page in the view and see the view's input arrive in it.
/// </summary>
public sealed class LiveViewPlaywrightTests : IAsyncLifetime
{
    // The colour the session's page is painted in, and looked for in the screenshot.
    private const int Red = 0x1e, Green = 0xb4, Blue = 0x5a;

    private const string SessionPage = """
        <!doctype html><html><head><title>painted in the session</title>
        <style>html,body{margin:0;height:100%;background:#1eb45a;font:20px sans-serif}
        #box{position:absolute;left:40px;top:40px;width:300px;height:40px;font-size:20px}</style></head>
        <body><input id="box" autocomplete="off"><h1 style="position:absolute;top:120px;left:40px;color:#fff">LIVE VIEW TARGET</h1>
        <script>window.clicks=[];document.addEventListener('mousedown',e=>window.clicks.push([e.clientX,e.clientY]));</script>
        </body></html>
        """;

    private readonly ManualClock _clock = new();
    private AgentBayEmulator _emulator = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _viewer = null!;

    public async Task InitializeAsync()
    {
        _emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { TimeProvider = _clock });
        _playwright = await Playwright.CreateAsync();
        // The person's browser: Debian's Chromium (Playwright's own download cannot work offline).
        _viewer = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/lib/chromium/chromium",
            Headless = true,
            Args = ["--no-sandbox"],
            Timeout = 120_000,
        });
    }

    public async Task DisposeAsync()
    {
        await _viewer.CloseAsync();
        _playwright.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task The_resource_url_shows_the_session_browser_live_and_passes_clicks_and_typing_to_it()
    {
        Assert.True(_emulator.BrowserUnavailableReason is null, _emulator.BrowserUnavailableReason);
        await using var client = NewClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });

        // The session's browser shows a page of a known colour that records where it is clicked.
        SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);
        IBrowser sessionBrowser = await _playwright.Chromium.ConnectOverCDPAsync(cdp.Url.ToString(), new BrowserTypeConnectOverCDPOptions { Timeout = 120_000 });
        try
        {
            IPage target = sessionBrowser.Contexts[0].Pages.Count > 0 ? sessionBrowser.Contexts[0].Pages[0] : await sessionBrowser.Contexts[0].NewPageAsync();
            await target.SetContentAsync(SessionPage);

            SessionInfo info = await session.GetInfoAsync();
            Assert.NotNull(info.ResourceUrl);
            IPage view = await _viewer.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
            await view.GotoAsync(info.ResourceUrl!.ToString());
            await view.WaitForFunctionAsync("() => Number(document.body.dataset.frames || 0) >= 1", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            await Assertions.Expect(view.Locator("#page-title")).ToHaveTextAsync("painted in the session", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });

            byte[] screenshot = await view.ScreenshotAsync(new PageScreenshotOptions { Path = OutputPath("liveview-browser-session.png") });
            double share = await ShareOfColourAsync(screenshot);
            Assert.True(share > 0.2, $"Only {share:P1} of the screenshot has the session page's colour; the live view does not show it.");

            // A click in the view lands at the same place in the session's page.
            int width = await target.EvaluateAsync<int>("() => window.innerWidth");
            int height = await target.EvaluateAsync<int>("() => window.innerHeight");
            ILocator screen = view.Locator("#screen");
            LocatorBoundingBoxResult box = (await screen.BoundingBoxAsync())!;
            (double fx, double fy) = (0.5, 0.75);
            await screen.ClickAsync(new LocatorClickOptions { Position = new Position { X = (float)(box.Width * fx), Y = (float)(box.Height * fy) } });
            await target.WaitForFunctionAsync("() => window.clicks.length >= 1", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
            int[][] clicks = await target.EvaluateAsync<int[][]>("() => window.clicks");
            Assert.InRange(clicks[0][0], width * fx - 4, width * fx + 4);
            Assert.InRange(clicks[0][1], height * fy - 4, height * fy + 4);

            // Clicking the input through the view focuses it; typing in the view reaches it, Backspace included.
            await screen.ClickAsync(new LocatorClickOptions { Position = new Position { X = (float)(box.Width * 190 / width), Y = (float)(box.Height * 60 / height) } });
            await target.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'box'", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
            int framesBeforeTyping = await view.EvaluateAsync<int>("() => Number(document.body.dataset.frames)");
            await view.Keyboard.TypeAsync("hello viewx");
            await view.Keyboard.PressAsync("Backspace");
            await target.WaitForFunctionAsync("() => document.getElementById('box').value === 'hello view'", null, new PageWaitForFunctionOptions { Timeout = 15_000 });

            // The page moved to the typed text in the view too.
            await view.WaitForFunctionAsync("n => Number(document.body.dataset.frames) > n", framesBeforeTyping, new PageWaitForFunctionOptions { Timeout = 15_000 });

            // The browser session has the terminal too (the README's screenshot shows both).
            await RunAsync(view, "echo typed into the tab: $(ls /tmp | grep -c agentbay_browser) browser profile");
            await Assertions.Expect(view.Locator("#output")).ToContainTextAsync("typed into the tab: 1 browser profile\n[exit 0]", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await view.ScreenshotAsync(new PageScreenshotOptions { Path = OutputPath("liveview-after-typing.png") });
        }
        finally
        {
            await sessionBrowser.CloseAsync();
        }
    }

    [Fact]
    public async Task The_terminal_runs_commands_in_the_session_which_cannot_reach_the_host()
    {
        await using var client = NewClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "code_latest" });
        await session.Files.WriteAsync("notes/hello.txt", "hi");
        string hostOnly = Path.Combine(Path.GetTempPath(), "liveview-host-only-" + Guid.NewGuid().ToString("N") + ".txt");
        await File.WriteAllTextAsync(hostOnly, "host secret");
        try
        {
            SessionInfo info = await session.GetInfoAsync();
            IPage view = await _viewer.NewPageAsync();
            await view.GotoAsync(info.ResourceUrl!.ToString());
            Assert.True(await view.Locator("#browser").IsHiddenAsync());
            await Assertions.Expect(view.Locator("#files")).ToContainTextAsync("notes");
            await Assertions.Expect(view.Locator("header")).ToContainTextAsync(session.Id);

            // Output shows as it comes: the first line is there while the command still waits for a file the test writes.
            await RunAsync(view, "echo live-$((6*7)); while [ ! -e go ]; do sleep 0.05; done; echo second-line");
            await Assertions.Expect(view.Locator("#output")).ToContainTextAsync("live-42", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            Assert.DoesNotContain("[exit", await view.Locator("#output").InnerTextAsync());
            await session.Files.WriteAsync("go", "");
            await Assertions.Expect(view.Locator("#output")).ToContainTextAsync("live-42\nsecond-line\n[exit 0]", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await Assertions.Expect(view.Locator("#files")).ToContainTextAsync("go");

            int port = _emulator.Endpoint.Port;
            await RunAsync(view, $"cat {hostOnly}; /usr/bin/python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 5)\" 2>&1 | tail -n 1");
            await Assertions.Expect(view.Locator("#output")).ToContainTextAsync("[exit ", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await Assertions.Expect(view.Locator("#output")).ToContainTextAsync("ConnectionRefusedError", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            string output = await view.Locator("#output").InnerTextAsync();
            Assert.Contains("No such file or directory", output);
            Assert.DoesNotContain("host secret", output);

            await view.ScreenshotAsync(new PageScreenshotOptions { Path = OutputPath("liveview-terminal.png") });
        }
        finally
        {
            File.Delete(hostOnly);
        }
    }

    [Fact]
    public async Task An_expired_link_shows_the_expiry_page_and_a_fresh_info_call_gives_a_working_one()
    {
        await using var client = NewClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "code_latest" });
        Uri old = (await session.GetInfoAsync()).ResourceUrl!;
        _clock.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(1));

        IPage view = await _viewer.NewPageAsync();
        IResponse? response = await view.GotoAsync(old.ToString());
        Assert.Equal((int)HttpStatusCode.Gone, response!.Status);
        await Assertions.Expect(view.Locator("h1")).ToHaveTextAsync("This live view link has expired");
        await view.ScreenshotAsync(new PageScreenshotOptions { Path = OutputPath("liveview-expired.png") });

        Uri fresh = (await session.GetInfoAsync()).ResourceUrl!;
        Assert.NotEqual(old, fresh);
        response = await view.GotoAsync(fresh.ToString());
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        await Assertions.Expect(view.Locator("#status")).ToHaveTextAsync("connected");
    }

    private AgentBayClient NewClient() => new(new AgentBayOptions { ApiKey = _emulator.ApiKey, Endpoint = _emulator.Endpoint });

    private static async Task RunAsync(IPage view, string command)
    {
        await view.Locator("#command").FillAsync(command);
        await view.Locator("#command").PressAsync("Enter");
    }

    /// <summary>The share of a PNG's pixels that have the session page's colour (JPEG frames: within a small tolerance), decoded by the viewer browser.</summary>
    private async Task<double> ShareOfColourAsync(byte[] png)
    {
        IPage scratch = await _viewer.NewPageAsync();
        try
        {
            return await scratch.EvaluateAsync<double>("""
                async ([data, r, g, b]) => {
                  const image = new Image();
                  image.src = 'data:image/png;base64,' + data;
                  await image.decode();
                  const canvas = document.createElement('canvas');
                  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
                  const context = canvas.getContext('2d');
                  context.drawImage(image, 0, 0);
                  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
                  let hits = 0;
                  for (let i = 0; i < pixels.length; i += 4) {
                    if (Math.abs(pixels[i] - r) <= 12 && Math.abs(pixels[i + 1] - g) <= 12 && Math.abs(pixels[i + 2] - b) <= 12) hits++;
                  }
                  return hits / (pixels.length / 4);
                }
                """, new object[] { Convert.ToBase64String(png), Red, Green, Blue });
        }
        finally
        {
            await scratch.CloseAsync();
        }
    }

    /// <summary>A path under the repository's <c>.ci/out/liveview/</c> (CI keeps that folder as artifacts).</summary>
    private static string OutputPath(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AgentBay.Lite.sln")))
        {
            directory = directory.Parent;
        }

        string root = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, ".ci", "out", "liveview");
        Directory.CreateDirectory(root);
        return Path.Combine(root, name);
    }
}
