using AgentBay.Lite;
using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.Quickstart;

/// <summary>
/// The quickstart: with no configuration it starts the emulator in-process and tours the SDK against it; with
/// <c>AGENTBAY_API_KEY</c> (and optionally <c>AGENTBAY_ENDPOINT</c>) set it tours that service instead, and with only
/// <c>AGB_API_KEY</c> (and optionally <c>AGB_ENDPOINT</c>) the AGB service. <c>--agb</c> tours the embedded emulator's AGB face.
/// Exit codes: 0 success, 1 the service or the tour failed, 2 bad configuration, 130 cancelled.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // --first-link: create one session, print its first link with a timestamp, delete it (the start-up measurement).
        bool firstLinkOnly = args.Contains("--first-link");
        // --watch: keep the sessions open after the tour until Enter, to look at them through the printed live view URL.
        bool watch = args.Contains("--watch");
        bool agbOnEmulator = args.Contains("--agb");
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        IAsyncDisposable? emulator = null;
        try
        {
            AgentBayClient client;
            AgentBayService service;
            try
            {
                (client, service, emulator) = await ConnectAsync(firstLinkOnly, agbOnEmulator, cancellation.Token);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // AgentBayOptions.FromEnvironment (a malformed variable) or the client's validation (a missing or bad setting).
                Console.Error.WriteLine("Configuration error: " + WithoutParameterName(ex));
                return 2;
            }

            using (client)
            {
                if (firstLinkOnly)
                {
                    await Tour.FirstLinkAsync(client, cancellation.Token);
                }
                else
                {
                    await Tour.RunAsync(client, service, watch, cancellation.Token);
                }
            }

            return 0;
        }
        catch (AgentBayException ex)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"AgentBay failed: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
        catch (HttpRequestException ex)
        {
            // The SDK reports connection failures as they come from HttpClient.
            Console.Error.WriteLine();
            Console.Error.WriteLine($"Could not reach the AgentBay service: {ex.Message}. Check AGENTBAY_ENDPOINT and the network path to it.");
            return 1;
        }
        catch (TourException ex)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"The tour failed: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"The tour failed unexpectedly: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }
        }
    }

    private static async Task<(AgentBayClient Client, AgentBayService Service, IAsyncDisposable? Emulator)> ConnectAsync(bool quiet, bool agb, CancellationToken cancellationToken)
    {
        if (!agb && (IsSet("AGENTBAY_API_KEY") || IsSet("AGB_API_KEY")))
        {
            // FromEnvironment picks AGB when only AGB_API_KEY is set, and says so in Service.
            AgentBayOptions options = AgentBayOptions.FromEnvironment();
            var client = new AgentBayClient(options);
            if (!quiet)
            {
                Console.WriteLine(options.Service == AgentBayService.Agb
                    ? $"AGB_API_KEY is set: touring the AGB service at {options.Endpoint}"
                    : $"AGENTBAY_API_KEY is set: touring the AgentBay service at {options.Endpoint}");
            }

            return (client, options.Service, null);
        }

        AgentBayEmulator emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions(), cancellationToken);
        if (quiet)
        {
            // The --first-link measurement also times the embedded emulator's start-up (process start to listening).
            Console.WriteLine($"emulator-ready-unix-ns {(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100}");
        }

        try
        {
            var service = agb ? AgentBayService.Agb : AgentBayService.AgentBay;
            var client = new AgentBayClient(new AgentBayOptions { Service = service, ApiKey = emulator.ApiKey, Endpoint = emulator.Endpoint });
            if (!quiet)
            {
                Console.WriteLine(agb
                    ? $"--agb: started the emulator in-process at {emulator.Endpoint} and touring its AGB face (set AGB_API_KEY, without --agb, to tour the real AGB service)."
                    : $"No AGENTBAY_API_KEY set: started the AgentBay emulator in-process at {emulator.Endpoint} (set AGENTBAY_API_KEY to tour the real service, or pass --agb for the emulator's AGB face).");
            }

            return (client, service, emulator);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    private static bool IsSet(string variable) => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));

    private static string WithoutParameterName(Exception ex) =>
        ex is ArgumentException { ParamName: { } name } && ex.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? ex.Message[..^$" (Parameter '{name}')".Length]
            : ex.Message;
}
