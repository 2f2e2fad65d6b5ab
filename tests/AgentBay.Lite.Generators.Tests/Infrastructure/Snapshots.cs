using Microsoft.CodeAnalysis;
using Xunit;

namespace AgentBay.Lite.Generators.Tests.Infrastructure;

/// <summary>
/// Compares generated files with checked-in snapshots under <c>Snapshots/&lt;Test&gt;/&lt;hint&gt;</c>. Set
/// <c>UPDATE_SNAPSHOTS=1</c> to rewrite them instead.
/// </summary>
internal static class Snapshots
{
    public static void Verify(string testName, GeneratorRunResult result)
    {
        string directory = Path.Combine(FindProjectDirectory(), "Snapshots", testName);
        bool update = Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1";
        Assert.NotEmpty(result.GeneratedSources);
        if (update)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
        }

        foreach (GeneratedSourceResult source in result.GeneratedSources)
        {
            string actual = Normalize(source.SourceText.ToString());
            string file = Path.Combine(directory, source.HintName);
            if (update)
            {
                File.WriteAllText(file, actual);
                continue;
            }

            Assert.True(File.Exists(file), "Missing snapshot " + file + "; run the tests with UPDATE_SNAPSHOTS=1 to create it.");
            Assert.Equal(Normalize(File.ReadAllText(file)), actual);
        }

        if (!update)
        {
            // No stale snapshot may linger for a file the generator no longer writes.
            var expected = result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal);
            var onDisk = Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(expected, onDisk);
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FindProjectDirectory()
    {
        // Walk up from bin/<configuration>/<tfm>/ (CallerFilePath is path-mapped in CI builds, so not usable).
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentBay.Lite.Generators.Tests.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The test project directory was not found above " + AppContext.BaseDirectory);
    }
}
