using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
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
/// wrk runs for <see cref="WrkSeconds"/> s before every iteration (<see cref="RunWrkBeforeSdkIteration"/>,
/// <see cref="RunWrkBeforeRawIteration"/>), so the two alternate all through the run and share whatever the machine's
/// speed does meanwhile; on this VM a 5 s wrk run before the SDK and one after it had differed by 25%. An iteration is 16
/// batches (about 0.7 s), so the moments after a wrk run weigh little. "wrk req/s" is the median of all recorded wrk
/// runs (after a 5 s warm-up run), and "Rate / wrk" each benchmark's median rate as a share of it. The VM's speed drifts
/// over minutes, so that pooled ratio moves with whichever phase each benchmark happened to run in;
/// "Rate / wrk, paired" divides each measured iteration's rate by the wrk run just before it and takes the median, which
/// cancels the drift.
/// </para>
/// <para>
/// Beside the SDK, <see cref="RawHttpClient_GetLinks_Uncached"/> is the floor of the .NET HTTP stack: the same GetLink
/// forms (without the per-call Timestamp, nonce and user agent) posted by a plain <see cref="HttpClient"/> on 64 workers.
/// </para>
/// <para>Requires <c>wrk</c> on PATH (<c>.ci/bench</c> installs it).</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(Config))]
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
    private LinkTarget[] _links = [];
    private byte[][] _rawForms = [];

    /// <summary>
    /// Where the benchmark processes leave wrk's rates for the columns, which the host process computes: one line per
    /// run, the benchmark it preceded and the rate, tab-separated. The pooled columns count the runs beside both
    /// benchmarks, as both start the same emulator build on the same machine.
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

    /// <summary>A wrk run before each iteration of the SDK benchmark.</summary>
    [IterationSetup(Target = nameof(Sdk_GetLinksAsync_Uncached))]
    public void RunWrkBeforeSdkIteration() => RunWrkBeforeIteration(nameof(Sdk_GetLinksAsync_Uncached));

    /// <summary>A wrk run before each iteration of the plain-client benchmark.</summary>
    [IterationSetup(Target = nameof(RawHttpClient_GetLinks_Uncached))]
    public void RunWrkBeforeRawIteration() => RunWrkBeforeIteration(nameof(RawHttpClient_GetLinks_Uncached));

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

    /// <summary>Runs wrk and appends its rate to <see cref="ResultPath"/>, tagged with the benchmark whose iteration follows.</summary>
    private void RunWrkBeforeIteration(string benchmark)
    {
        var rate = RunWrkAsync(WrkSeconds).GetAwaiter().GetResult();
        File.AppendAllText(ResultPath, benchmark + "\t" + rate.ToString("R", CultureInfo.InvariantCulture) + "\n");
        Console.WriteLine($"// wrk -t1 -c{Connections} -d{WrkSeconds}s: {rate:N0} GetLink requests/s");
    }

    /// <summary>The recorded wrk runs in order: the benchmark each preceded, and its rate.</summary>
    private static List<(string Benchmark, double Rate)> ReadWrkRuns()
    {
        var runs = new List<(string, double)>();
        if (!File.Exists(ResultPath))
        {
            return runs;
        }

        foreach (var line in File.ReadAllLines(ResultPath))
        {
            var fields = line.Split('\t');
            if (fields.Length == 2 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate))
            {
                runs.Add((fields[0], rate));
            }
        }

        return runs;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
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
            FullRunCounts.Apply(this, Warmups, Iterations, invocationsPerIteration: 16);
            AddColumn(StatisticColumn.OperationsPerSecond);
            AddColumn(new WrkColumn(WrkColumnKind.Rate));
            AddColumn(new WrkColumn(WrkColumnKind.Share));
            AddColumn(new WrkColumn(WrkColumnKind.PairedShare));
        }
    }

    /// <summary>What a <see cref="WrkColumn"/> shows.</summary>
    private enum WrkColumnKind
    {
        /// <summary>wrk's median rate over all recorded runs, with the range.</summary>
        Rate,

        /// <summary>The benchmark's median rate as a share of wrk's pooled median.</summary>
        Share,

        /// <summary>The median over measured iterations of each iteration's rate as a share of the wrk run just before it.</summary>
        PairedShare,
    }

    /// <summary>wrk's rate from this run, or a benchmark's rate as a share of it (pooled or paired per iteration).</summary>
    private sealed class WrkColumn(WrkColumnKind kind) : IColumn
    {
        public string Id => nameof(WrkColumn) + kind;

        public string ColumnName => kind switch
        {
            WrkColumnKind.Rate => "wrk req/s",
            WrkColumnKind.Share => "Rate / wrk",
            _ => "Rate / wrk, paired",
        };

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => (int)kind;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => kind switch
        {
            WrkColumnKind.Rate => $"wrk -t1 -c{Connections} -d{WrkSeconds}s with wrk-getlink.lua against the same emulator before each iteration of both benchmarks: median (min–max)",
            WrkColumnKind.Share => "The benchmark's median GetLink rate (1 / median time per link) as a share of wrk's median rate",
            _ => "Median over the measured iterations of the iteration's GetLink rate as a share of the wrk run just before it",
        };

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var runs = ReadWrkRuns();
            if (runs.Count == 0)
            {
                return "NA";
            }

            var rates = runs.Select(run => run.Rate).ToArray();
            double median = Median(rates);
            var report = summary[benchmarkCase];
            switch (kind)
            {
                case WrkColumnKind.Rate:
                    return $"{median.ToString("N0", CultureInfo.InvariantCulture)} ({rates.Min().ToString("N0", CultureInfo.InvariantCulture)}–{rates.Max().ToString("N0", CultureInfo.InvariantCulture)})";
                case WrkColumnKind.Share:
                    return report?.ResultStatistics is { Median: > 0 } stats
                        ? (1e9 / stats.Median / median).ToString("P0", CultureInfo.InvariantCulture)
                        : "NA";
                default:
                    // One wrk run precedes every workload iteration the benchmark process runs (jitting, warm-up,
                    // measured, in that order, then one more for the memory diagnoser), so the n-th run belongs to the
                    // n-th workload iteration.
                    var before = runs.Where(run => run.Benchmark == benchmarkCase.Descriptor.WorkloadMethod.Name).Select(run => run.Rate).ToArray();
                    var iterations = report?.AllMeasurements
                        .Where(m => m.IterationMode == IterationMode.Workload && m.IterationStage != IterationStage.Result)
                        .ToArray() ?? [];
                    if (iterations.Length == 0 || before.Length < iterations.Length)
                    {
                        return "NA";
                    }

                    var shares = iterations
                        .Select((m, i) => (Measurement: m, Wrk: before[i]))
                        .Where(pair => pair.Measurement.IterationStage == IterationStage.Actual)
                        .Select(pair => 1e9 / pair.Measurement.GetAverageTime().Nanoseconds / pair.Wrk)
                        .ToArray();
                    return shares.Length == 0 ? "NA" : Median(shares).ToString("P0", CultureInfo.InvariantCulture);
            }
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
