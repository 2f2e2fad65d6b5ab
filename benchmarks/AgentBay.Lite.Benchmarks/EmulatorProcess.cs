using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// The standalone emulator (<c>AgentBay.Lite.Emulator</c>) in a process of its own, as users run it: on a free
/// loopback port, with a random API key. Disposing it stops the process.
/// </summary>
internal sealed partial class EmulatorProcess : IDisposable
{
    private readonly Process _process;

    private EmulatorProcess(Process process, Uri endpoint, string apiKey)
    {
        _process = process;
        Endpoint = endpoint;
        ApiKey = apiKey;
    }

    /// <summary>Where the emulator listens.</summary>
    public Uri Endpoint { get; }

    /// <summary>The API key it accepts.</summary>
    public string ApiKey { get; }

    /// <summary>Starts the emulator built beside this benchmark and waits until it listens.</summary>
    /// <param name="extraArguments">More command-line options, e.g. <c>--https</c>.</param>
    public static async Task<EmulatorProcess> StartAsync(params string[] extraArguments)
    {
        string apiKey = "akm-bench-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { FindEmulator(), "--port", "0", "--api-key", apiKey }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The emulator process did not start.");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ListeningOn().Match(line) is { Success: true } match)
                {
                    // Keep draining its output so the emulator never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return new EmulatorProcess(process, new Uri(match.Groups[1].Value), apiKey);
                }
            }

            throw new InvalidOperationException("The emulator exited before it listened: " + await process.StandardError.ReadToEndAsync());
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Stop(_process);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>The dotnet host running this process, or <c>dotnet</c> on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>The emulator's entry assembly: copied beside the benchmarks by the project reference, or in its own build output.</summary>
    private static string FindEmulator()
    {
        const string Name = "AgentBay.Lite.Emulator.dll";
        if (Path.Combine(AppContext.BaseDirectory, Name) is var beside && File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }

        return RepositoryPaths.FindAbove(Path.Combine("src", "AgentBay.Lite.Emulator", "bin", "Release", "net10.0", Name))
            ?? throw new FileNotFoundException($"{Name} was not found beside the benchmarks or above {AppContext.BaseDirectory}; build the solution in Release first.");
    }

    [GeneratedRegex(@"listening on (\S+)")]
    private static partial Regex ListeningOn();
}
