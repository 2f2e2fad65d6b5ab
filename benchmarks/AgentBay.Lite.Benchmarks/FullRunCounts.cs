using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Warm-up and iteration counts that a benchmark needs for a trustworthy full run but that must not stretch the dry job
/// <c>.ci/bench</c> asks for. Count attributes (<c>[WarmupCount]</c>, <c>[IterationCount]</c>) override every job,
/// the dry one included, which made the smoke run measure two benchmark classes at full length.
/// </summary>
internal static class FullRunCounts
{
    /// <summary>Whether the command line asked for BenchmarkDotNet's dry job; set through <see cref="ReadCommandLine"/>.</summary>
    private static bool _isDryRun;

    /// <summary>
    /// Notes whether <paramref name="args"/> asks for the dry job (<c>--job dry</c> or <c>-j dry</c>); called by
    /// <see cref="Program.Main"/> before BenchmarkDotNet reads the configs.
    /// </summary>
    /// <param name="args">The benchmark host's command line.</param>
    public static void ReadCommandLine(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] is "--job" or "-j" && string.Equals(args[i + 1], "dry", StringComparison.OrdinalIgnoreCase))
            {
                _isDryRun = true;
            }
        }
    }

    /// <summary>Applies the counts to every job of <paramref name="config"/>, unless this is a dry run.</summary>
    /// <param name="config">The benchmark class's config.</param>
    /// <param name="warmups">Warm-up iterations.</param>
    /// <param name="iterations">Measured iterations.</param>
    /// <param name="invocationsPerIteration">Invocations per iteration, or <see langword="null"/> to let BenchmarkDotNet choose.</param>
    public static void Apply(ManualConfig config, int warmups, int iterations, int? invocationsPerIteration = null)
    {
        if (_isDryRun)
        {
            return;
        }

        var counts = Job.Default.WithWarmupCount(warmups).WithIterationCount(iterations);
        if (invocationsPerIteration is { } invocations)
        {
            counts = counts.WithInvocationCount(invocations);
        }

        config.AddJob(counts.AsMutator());
    }
}
