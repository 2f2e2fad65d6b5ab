using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Target 4: uncached fan-out throughput of the SDK (<c>GetLinksAsync</c>, 2,000 distinct links per invocation, 64 at
/// a time, link cache off, no injected latency) against Debian's <c>wrk</c> posting the same GetLink form
/// (<c>wrk-getlink.lua</c>) over 64 keep-alive connections to the same emulator, in the same run.
/// </summary>
/// <remarks>
/// <para>
/// The emulator runs as a process of its own (<see cref="EmulatorProcess"/>), as users run it, so both load
/// generators are separate processes of one server: in the benchmark's own process the SDK's garbage collections
/// would pause the server too, which wrk never does.
/// </para>
/// <para>
/// wrk runs for <see cref="WrkSeconds"/> s before every iteration (<see cref="RunWrkBeforeIteration"/>), so the two
/// alternate all through the run and share whatever the machine's speed does meanwhile; on this VM a 5 s wrk run before
/// the SDK and one after it had differed by 25%. An iteration is 16 batches (about 0.7 s), so the moments after a wrk
/// run weigh little. "wrk req/s" is the median of all recorded wrk runs (after a 5 s warm-up run), and "Rate / wrk" each
/// benchmark's median rate as a share of it.
/// </para>
/// <para>
/// Beside the SDK, <see cref="RawHttpClient_GetLinks_Uncached"/> is the floor of the .NET HTTP stack: the same GetLink
/// forms (without the per-call Timestamp, nonce and user agent) posted by a plain <see cref="HttpClient"/> on 64 workers.
/// </para>
/// <para>Requires <c>wrk</c> on PATH (<c>.ci/bench</c> installs it).</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(Config))]
[WarmupCount(Warmups)]
[IterationCount(Iterations)]
[InvocationCount(16)]
public partial class WrkComparisonBenchmarks : IDisposable
{
    private const int Links = 2_000;
    private const int Connections = 64;
    private const int WrkSeconds = 2;
    private const int Warmups = 5;
    private const int Iterations = 15;
    private static readonly FanOutOptions FanOut = new() { MaxConcurrency = Connections };

    private EmulatorProcess _emulator = null!;
    private AgentBayClient _client = null!;
    private HttpClient _rawClient = null!;
    private (string SessionId, LinkRequest Request)[] _links = [];
    private byte[][] _rawForms = [];

    /// <summary>
    /// Where the benchmark processes leave wrk's rates (one per line) for the columns, which the host process computes;
    /// the runs beside both benchmarks count, as both start the same emulator build on the same machine.
    /// </summary>
    private static string ResultPath => Path.Combine(Path.GetTempPath(), "agentbay-lite-bench-wrk-getlink-rps.txt");

    /// <summary>Drops the wrk rates of an earlier run; the host process calls it before running benchmarks.</summary>
    public static void ForgetEarlierRuns() => File.Delete(ResultPath);

    [GlobalSetup]
    public async Task Setup()
    {
        _emulator = await EmulatorProcess.StartAsync();
        _client = EmulatorLinks.CreateUncachedClient(_emulator.Endpoint, _emulator.ApiKey);
        _links = await EmulatorLinks.DistinctLinksAsync(_client, Links);
        _rawClient = new HttpClient { BaseAddress = _emulator.Endpoint };
        _rawForms = EmulatorLinks.RawGetLinkForms(_links, _emulator.ApiKey);
        await RunWrkAsync(seconds: 5); // warms the emulator (JIT tiers, connections), so every recorded run finds it warm
    }

    /// <summary>A wrk run before each iteration, its rate appended to <see cref="ResultPath"/>.</summary>
    [IterationSetup]
    public void RunWrkBeforeIteration()
    {
        var rate = RunWrkAsync(WrkSeconds).GetAwaiter().GetResult();
        File.AppendAllText(ResultPath, rate.ToString("R", CultureInfo.InvariantCulture) + "\n");
        Console.WriteLine($"// wrk -t1 -c{Connections} -d{WrkSeconds}s: {rate:N0} GetLink requests/s");
    }

    /// <summary>2,000 distinct links through the SDK, 64 at a time; Op/s is GetLink requests per second.</summary>
    [Benchmark(OperationsPerInvoke = Links)]
    public async Task Sdk_GetLinksAsync_Uncached()
    {
        var results = await _client.GetLinksAsync(_links, FanOut);
        EmulatorLinks.ThrowIfAnyFailed(results, Links);
    }

    /// <summary>The same 2,000 GetLink forms from a plain <see cref="HttpClient"/>, 64 at a time.</summary>
    [Benchmark(OperationsPerInvoke = Links)]
    public Task RawHttpClient_GetLinks_Uncached() => EmulatorLinks.PostRawGetLinksAsync(_rawClient, _rawForms, Connections);

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _client?.Dispose();
        _rawClient?.Dispose();
        _emulator?.Dispose();
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
    private static string FindScript() =>
        RepositoryPaths.FindAbove("wrk-getlink.lua", Path.Combine("benchmarks", "AgentBay.Lite.Benchmarks", "wrk-getlink.lua"))
        ?? throw new FileNotFoundException("wrk-getlink.lua was not found above " + AppContext.BaseDirectory + ".");

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(StatisticColumn.OperationsPerSecond);
            AddColumn(new WrkColumn(isShare: false));
            AddColumn(new WrkColumn(isShare: true));
        }
    }

    /// <summary>wrk's rate from this run, or the SDK's median rate as a share of it.</summary>
    private sealed class WrkColumn(bool isShare) : IColumn
    {
        public string Id => nameof(WrkColumn) + isShare;

        public string ColumnName => isShare ? "Rate / wrk" : "wrk req/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => isShare ? 1 : 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => isShare
            ? "The benchmark's median GetLink rate (1 / median time per link) as a share of wrk's median rate"
            : $"wrk -t1 -c{Connections} -d{WrkSeconds}s with wrk-getlink.lua against the same emulator before each iteration: median (min–max)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var rates = File.Exists(ResultPath)
                ? File.ReadAllLines(ResultPath)
                    .Select(line => double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) ? rate : double.NaN)
                    .Where(double.IsFinite)
                    .Order()
                    .ToArray()
                : [];
            if (rates.Length == 0)
            {
                return "NA";
            }

            double median = rates.Length % 2 == 1 ? rates[rates.Length / 2] : (rates[(rates.Length / 2) - 1] + rates[rates.Length / 2]) / 2;
            if (!isShare)
            {
                return $"{median.ToString("N0", CultureInfo.InvariantCulture)} ({rates[0].ToString("N0", CultureInfo.InvariantCulture)}–{rates[^1].ToString("N0", CultureInfo.InvariantCulture)})";
            }

            return summary[benchmarkCase]?.ResultStatistics is { Median: > 0 } stats
                ? (1e9 / stats.Median / median).ToString("P0", CultureInfo.InvariantCulture)
                : "NA";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
