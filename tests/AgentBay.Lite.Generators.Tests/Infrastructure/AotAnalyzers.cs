using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentBay.Lite.Generators.Tests.Infrastructure;

/// <summary>
/// Runs the SDK's ILLink Roslyn analyzer (trim, AOT and single-file warnings: IL2xxx, IL3xxx) over a compilation with
/// the settings <c>IsAotCompatible</c> turns on.
/// </summary>
internal static class AotAnalyzers
{
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> Analyzers = new(Load);

    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation)
    {
        var options = new AnalyzerOptions([], new GlobalOptionsProvider());
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(Analyzers.Value, options);
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }

    private static ImmutableArray<DiagnosticAnalyzer> Load()
    {
        string path = typeof(AotAnalyzers).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ILLinkAnalyzerPath").Value!;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException("The ILLink analyzer was not found at " + path + "; restore src/AgentBay.Lite (IsAotCompatible) first.");
        }

        var reference = new AnalyzerFileReference(path, new Loader());
        var failures = new List<string>();
        reference.AnalyzerLoadFailed += (_, e) => failures.Add(e.Message);
        ImmutableArray<DiagnosticAnalyzer> analyzers = reference.GetAnalyzers(LanguageNames.CSharp);
        if (analyzers.IsEmpty)
        {
            throw new InvalidOperationException("No analyzer loaded from " + path + ": " + string.Join("; ", failures));
        }

        return analyzers;
    }

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }

    private sealed class GlobalOptionsProvider : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options();

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        private sealed class Options : AnalyzerConfigOptions
        {
            private static readonly Dictionary<string, string> Values = new(StringComparer.OrdinalIgnoreCase)
            {
                ["build_property.EnableTrimAnalyzer"] = "true",
                ["build_property.EnableAotAnalyzer"] = "true",
                ["build_property.EnableSingleFileAnalyzer"] = "true",
                ["build_property.IsTrimmable"] = "true",
                ["build_property.IsAotCompatible"] = "true",
            };

            public override bool TryGetValue(string key, out string value) => Values.TryGetValue(key, out value!);
        }
    }
}
