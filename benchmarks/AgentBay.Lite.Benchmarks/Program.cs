using BenchmarkDotNet.Running;

namespace AgentBay.Lite.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project benchmarks/AgentBay.Lite.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args)
    {
        FullRunCounts.ReadCommandLine(args);
        WrkComparisonBenchmarks.ForgetEarlierRuns();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
