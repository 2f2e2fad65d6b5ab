namespace AgentBay.Lite.Benchmarks;

/// <summary>Finds repository files from the benchmark's build output, wherever BenchmarkDotNet runs it.</summary>
internal static class RepositoryPaths
{
    /// <summary>
    /// The first of <paramref name="relativePaths"/> that exists under the output folder or one of its parents, trying
    /// every path in each folder before moving up; <see langword="null"/> when none does.
    /// </summary>
    public static string? FindAbove(params string[] relativePaths)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (string relativePath in relativePaths)
            {
                string candidate = Path.Combine(directory.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
