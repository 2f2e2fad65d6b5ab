using System.Collections;
using System.Reflection;
using AgentBay.Lite.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AgentBay.Lite.Generators.Tests;

public sealed class IncrementalTests
{
    private static readonly string[] TrackedSteps = [TrackingNames.Parse, TrackingNames.Model, TrackingNames.Diagnostics];

    [Fact]
    public void Second_run_with_the_same_input_is_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Rpc, TestSources.Rest);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(2, first.GeneratedSources.Length);

        GeneratorRunResult second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            AssertAllOutputs(second, step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        }

        AssertSourceOutputs(second, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Unrelated_edit_leaves_the_output_unchanged()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Rpc, TestSources.Rest, "namespace Other { internal static class Unrelated { } }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult before = driver.GetRunResult().Results.Single();

        SyntaxTree unrelated = compilation.SyntaxTrees.ElementAt(2);
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            unrelated,
            CSharpSyntaxTree.ParseText("namespace Other { internal static class Unrelated { public const int Edited = 1; } }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        GeneratorRunResult after = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllOutputs(after, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAllOutputs(after, TrackingNames.Model, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSourceOutputs(after, IncrementalStepRunReason.Cached);
        Assert.Equal(before.GeneratedSources.Select(s => s.SourceText.ToString()), after.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void Route_edit_modifies_only_that_interface()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Rpc, TestSources.Rest);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        SyntaxTree rest = compilation.SyntaxTrees.ElementAt(1);
        string editedText = TestSources.Rest.Replace("[Delete(\"/items/{id}\")]", "[Delete(\"/things/{id}\")]", StringComparison.Ordinal);
        Assert.NotEqual(TestSources.Rest, editedText);
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(rest, CSharpSyntaxTree.ParseText(editedText, GeneratorHarness.ParseOptions, rest.FilePath));
        GeneratorRunResult after = driver.RunGenerators(edited).GetRunResult().Results.Single();

        IncrementalStepRunReason[] modelReasons = Outputs(after, TrackingNames.Model).ToArray();
        Assert.Contains(IncrementalStepRunReason.Modified, modelReasons);
        Assert.Contains(modelReasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        string restSource = after.GeneratedSources.Single(s => s.HintName == "Sample.Rest.IAgbRestApi.g.cs").SourceText.ToString();
        Assert.Contains("__builder.AppendLiteral(\"/things/\");", restSource, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_graph_holds_no_symbols_compilations_syntax_or_locations()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Rpc, TestSources.Rest);
        GeneratorRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        var values = result.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.Equal(2, values.Count);
        var walker = new ModelWalker();
        foreach (object value in values)
        {
            walker.Walk(value);
        }

        Assert.Empty(walker.Offenders);
        // The walk really went through the models (strings from both protocols were reached).
        Assert.Contains("GetLinkAsync", walker.Strings);
        Assert.Contains("/internet/getLink", walker.Strings);
    }

    [Fact]
    public void Model_walker_detects_a_symbol()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Rest);
        var walker = new ModelWalker();

        walker.Walk(new Tuple<string, object>("x", compilation.GetTypeByMetadataName("Sample.Rest.AgbEnvelope")!));
        walker.Walk(new object[] { compilation });

        Assert.Equal(2, walker.Offenders.Count);
    }

    private static void AssertAllOutputs(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        var reasons = Outputs(result, step).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.Contains(r, allowed));
    }

    private static void AssertSourceOutputs(GeneratorRunResult result, IncrementalStepRunReason expected)
    {
        var reasons = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.Equal(expected, r));
    }

    private static IEnumerable<IncrementalStepRunReason> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>Walks every field reachable from a value (STJ's test idea) and records forbidden Roslyn objects.</summary>
    private sealed class ModelWalker
    {
        private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(Location), typeof(SemanticModel), typeof(SyntaxTree)];
        private readonly HashSet<object> _visited = new(ReferenceEqualityComparer.Instance);

        public List<string> Offenders { get; } = [];

        public HashSet<string> Strings { get; } = new(StringComparer.Ordinal);

        public void Walk(object? value)
        {
            if (value is null)
            {
                return;
            }

            Type type = value.GetType();
            if (Forbidden.Any(f => f.IsAssignableFrom(type)))
            {
                Offenders.Add(type.FullName!);
                return;
            }

            if (value is string text)
            {
                Strings.Add(text);
                return;
            }

            if (type.IsPrimitive || type.IsEnum || (!type.IsValueType && !_visited.Add(value)))
            {
                return;
            }

            if (value is IEnumerable sequence and not string)
            {
                foreach (object? item in sequence)
                {
                    Walk(item);
                }
            }

            for (Type? current = type; current is not null && current != typeof(object); current = current.BaseType)
            {
                foreach (FieldInfo field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (!field.FieldType.IsPointer)
                    {
                        Walk(field.GetValue(value));
                    }
                }
            }
        }
    }
}
