using System.Collections.Immutable;
using System.Reflection;
using AgentBay.Lite.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentBay.Lite.Generators.Tests.Infrastructure;

/// <summary>Builds in-memory compilations against the real SDK and runs the generator (plus System.Text.Json's) over them.</summary>
internal static class GeneratorHarness
{
    /// <summary>The SDK grants InternalsVisibleTo to this name.</summary>
    public const string AssemblyName = "AgentBay.Lite.Generators.Tests.Compiled";

    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);
    private static readonly Lazy<ImmutableArray<ISourceGenerator>> LazyJsonGenerators = new(LoadJsonGenerators);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    public static CSharpCompilation CreateCompilation(params string[] sources)
    {
        var trees = new List<SyntaxTree>();
        for (int i = 0; i < sources.Length; i++)
        {
            trees.Add(CSharpSyntaxTree.ParseText(sources[i], ParseOptions, path: "Source" + i + ".cs"));
        }

        return CSharpCompilation.Create(
            AssemblyName,
            trees,
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                deterministic: true));
    }

    /// <summary>A driver for our generator only, with step tracking.</summary>
    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new HttpApiGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs our generator and System.Text.Json's, returning our result and the full output compilation.</summary>
    public static (GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Run(Compilation compilation)
    {
        ISourceGenerator[] generators = [new HttpApiGenerator().AsSourceGenerator(), .. LazyJsonGenerators.Value];
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            generators,
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult ours = driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType() == typeof(HttpApiGenerator));
        return (ours, output, diagnostics);
    }

    /// <summary>Emits a compilation, failing with every diagnostic if it has any error or warning.</summary>
    public static byte[] EmitClean(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!result.Success || problems.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("The compilation is not clean:\n" + string.Join("\n", problems.Select(d => d.ToString())));
        }

        return stream.ToArray();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        foreach (string path in tpa.Split(Path.PathSeparator))
        {
            if (path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                paths.Add(path);
            }
        }

        paths.Add(typeof(AgentBay.Lite.Http.HttpApiAttribute).Assembly.Location);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    /// <summary>
    /// System.Text.Json's source generator from the targeting pack of the running runtime, so that test contexts get
    /// their <c>Default</c> property and metadata exactly as in a real build.
    /// </summary>
    private static ImmutableArray<ISourceGenerator> LoadJsonGenerators()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string version = Environment.Version.Major + "." + Environment.Version.Minor + ".";
        string? path = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Where(d => Path.GetFileName(d).StartsWith(version, StringComparison.Ordinal))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"))
                .FirstOrDefault(File.Exists)
            : null;
        if (path is null)
        {
            throw new InvalidOperationException("System.Text.Json.SourceGeneration.dll not found under " + packs);
        }

        var reference = new AnalyzerFileReference(path, new LoadFromLoader());
        var failures = new List<string>();
        reference.AnalyzerLoadFailed += (_, e) => failures.Add(e.Message);
        ImmutableArray<ISourceGenerator> generators = reference.GetGenerators(LanguageNames.CSharp);
        if (generators.IsEmpty)
        {
            throw new InvalidOperationException("No generator loaded from " + path + ": " + string.Join("; ", failures));
        }

        return generators;
    }

    private sealed class LoadFromLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
