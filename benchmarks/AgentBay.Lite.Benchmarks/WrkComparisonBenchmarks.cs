using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AgentBay.Lite.Emulator;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Target 4: uncached fan-out throughput of the SDK (<c>GetLinksAsync</c>, 2,000 distinct links per invocation, 64 at
/// a time, link cache off, no injected latency) against Debian's <c>wrk</c> posting the same GetLink form
/// (<c>wrk-getlink.lua</c>) over 64 keep-alive connections to the same in-process emulator, in the same process run.
/// <c>wrk</c> runs <see cref="WrkSeconds"/> s before the SDK is measured (after a 1 s warm-up, in <see cref="Setup"/>)
/// and again after it (in <see cref="Cleanup"/>), so that both see the process in the states the SDK saw; the
/// "wrk req/s" column shows both rates and "SDK / wrk" the SDK's median rate as a share of their mean.
/// Requires <c>wrk</c> on PATH (<c>.ci/bench</c> installs it).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public partial class WrkComparisonBenchmarks : IAsyncDisposable
{
    private const int Links = 2_000;
    private const int Connections = 64;
    private const int WrkSeconds = 5;
    private static readonly FanOutOptions FanOut = new() { MaxConcurrency = Connections };

    private AgentBayEmulator _emulator = null!;
    private AgentBayClient _client = null!;
    private (string SessionId, LinkRequest Request)[] _links = [];

    /// <summary>Where the benchmark process leaves wrk's rates (one per line) for the columns, which the host process computes.</summary>
    private static string ResultPath => Path.Combine(Path.GetTempPath(), "agentbay-lite-bench-wrk-getlink-rps.txt");

    [GlobalSetup]
    public async Task Setup()
    {
        File.Delete(ResultPath);
        _emulator = await AgentBayEmulator.StartAsync();
        _client = EmulatorLinks.CreateUncachedClient(_emulator);
        _links = await EmulatorLinks.DistinctLinksAsync(_client, Links);

        await RunWrkAsync(seconds: 1); // warm-up: JIT and connections of the emulator
        await RecordWrkAsync("before");
    }

    private async Task RecordWrkAsync(string when)
    {
        var rps = await RunWrkAsync(WrkSeconds);
        File.AppendAllText(ResultPath, rps.ToString("R", CultureInfo.InvariantCulture) + "\n");
        Console.WriteLine($"// wrk -t1 -c{Connections} -d{WrkSeconds}s {when} the SDK: {rps:N0} GetLink requests/s");
    }

    /// <summary>2,000 distinct links through the SDK, 64 at a time; Op/s is GetLink requests per second.</summary>
    [Benchmark(OperationsPerInvoke = Links)]
    public async Task Sdk_GetLinksAsync_Uncached()
    {
        var results = await _client.GetLinksAsync(_links, FanOut);
        EmulatorLinks.ThrowIfAnyFailed(results, Links);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await RecordWrkAsync("after");
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private async Task<double> RunWrkAsync(int seconds)
    {
        var wrk = FindOnPath("wrk") ?? throw new InvalidOperationException(
            "wrk is not installed, so the SDK cannot be compared with it. Install it (apt-get install -y wrk; .ci/bench does this) and run again.");
        var script = FindScript();
        var start = new ProcessStartInfo(wrk)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-t1", $"-c{Connections}", $"-d{seconds}s", "-s", script, _emulator.Endpoint.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SESSION_ID"] = _links[0].SessionId;
        start.Environment["API_KEY"] = _emulator.ApiKey;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        var match = RequestsPerSecond().Match(text);
        if (process.ExitCode != 0 || !match.Success || text.Contains("Non-2xx", StringComparison.Ordinal) || text.Contains("error", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"wrk failed (exit code {process.ExitCode}):\n{text}");
        }

        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The repository's <c>wrk-getlink.lua</c>, found from the benchmark's output folder upwards.</summary>
    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[]
            {
                Path.Combine(directory.FullName, "wrk-getlink.lua"),
                Path.Combine(directory.FullName, "benchmarks", "AgentBay.Lite.Benchmarks", "wrk-getlink.lua"),
            })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("wrk-getlink.lua was not found above " + AppContext.BaseDirectory + ".");
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(StatisticColumn.OperationsPerSecond);
            AddColumn(new WrkColumn(ofSdk: false));
            AddColumn(new WrkColumn(ofSdk: true));
        }
    }

    /// <summary>wrk's rate from this run, or the SDK's median rate as a share of it.</summary>
    private sealed class WrkColumn(bool ofSdk) : IColumn
    {
        public string Id => nameof(WrkColumn) + ofSdk;

        public string ColumnName => ofSdk ? "SDK / wrk" : "wrk req/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => ofSdk ? 1 : 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => ofSdk
            ? "The SDK's median GetLink rate (1 / median time per link) as a share of wrk's mean rate"
            : $"wrk -t1 -c{Connections} -d{WrkSeconds}s with wrk-getlink.lua against the same emulator, before / after the SDK";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var rates = File.Exists(ResultPath)
                ? File.ReadAllLines(ResultPath)
                    .Select(line => double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) ? rate : double.NaN)
                    .Where(double.IsFinite)
                    .ToArray()
                : [];
            if (rates.Length == 0)
            {
                return "NA";
            }

            if (!ofSdk)
            {
                return string.Join(" / ", rates.Select(rate => rate.ToString("N0", CultureInfo.InvariantCulture)));
            }

            return summary[benchmarkCase]?.ResultStatistics is { Median: > 0 } stats
                ? (1e9 / stats.Median / rates.Average()).ToString("P0", CultureInfo.InvariantCulture)
                : "NA";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
