using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>The emulator executable in a process of its own, for measurements that must not include the test host.</summary>
internal sealed class StandaloneEmulator : IDisposable
{
    private readonly Process _process;

    private StandaloneEmulator(Process process, Uri endpoint, string apiKey)
    {
        _process = process;
        Endpoint = endpoint;
        ApiKey = apiKey;
    }

    public Uri Endpoint { get; }

    public string ApiKey { get; }

    public static async Task<StandaloneEmulator> StartAsync()
    {
        var apiKey = "akm-standalone-" + Guid.NewGuid().ToString("N");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { ProgramRun.EmulatorDll, "--port", "0", "--api-key", apiKey })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        const string Listening = "AgentBay emulator listening on ";
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(Listening, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
                return new StandaloneEmulator(process, new Uri(line[Listening.Length..]), apiKey);
            }
        }

        var error = await process.StandardError.ReadToEndAsync();
        process.Dispose();
        throw new InvalidOperationException("The emulator exited before it listened: " + error);
    }

    /// <summary>Managed and resident bytes after the emulator ran a full compacting collection.</summary>
    public async Task<(long Managed, long Resident)> MemoryAfterCollectionAsync()
    {
        using var http = new HttpClient { BaseAddress = Endpoint };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_emulator/memory/collect");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("managedBytes").GetInt64(), json.RootElement.GetProperty("residentBytes").GetInt64());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
