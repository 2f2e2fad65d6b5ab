using AgentBay.Lite.Generators.Tests.Infrastructure;
using Xunit;

namespace AgentBay.Lite.Generators.Tests;

/// <summary>Every supported scalar, nullable or not, in every position compiles cleanly.</summary>
public sealed class ScalarCoverageTests
{
    private static readonly string[] Scalars =
    [
        "string", "bool", "char", "sbyte", "byte", "short", "ushort", "int", "uint", "long", "ulong", "float", "double", "decimal",
        "System.Guid", "Wide", "Flags",
    ];

    [Fact]
    public async Task All_scalars_in_route_query_header_and_form_compile_without_warnings()
    {
        var members = new System.Text.StringBuilder();
        var form = new System.Text.StringBuilder();
        int i = 0;
        foreach (string scalar in Scalars)
        {
            foreach (string type in scalar == "string" ? new[] { "string", "string?" } : new[] { scalar, scalar + "?" })
            {
                members.AppendLine($"[Get(\"/r/{{r{i}}}\")] Task<Reply> M{i}({type} r{i}, [Query] {type} q{i}, [Header(\"h{i}\")] {type} h{i}, CancellationToken cancellationToken);");
                form.AppendLine($"public {type} P{i} {{ get; set; }}" + (type == "string" ? " = \"\";" : ""));
                i++;
            }
        }

        string source = $$"""
            using System.Collections.Generic;
            using System.Text.Json.Serialization;
            using System.Threading;
            using System.Threading.Tasks;
            using AgentBay.Lite.Http;

            namespace Coverage;

            public enum Wide : long { Min = long.MinValue, Max = long.MaxValue }
            [System.Flags] public enum Flags : byte { None = 0, A = 1, B = 2 }
            public sealed class Reply { public string? Value { get; set; } }
            public struct Point { public int X { get; set; } }
            public sealed class Form
            {
                {{form}}
                [FormJson] public Point Where { get; set; }
                [FormJson] public Point? MaybeWhere { get; set; }
                [FormJson] public List<int>? Numbers { get; set; }
            }

            [JsonSerializable(typeof(Reply))]
            [JsonSerializable(typeof(Point))]
            [JsonSerializable(typeof(List<int>))]
            internal sealed partial class CoverageJson : JsonSerializerContext;

            [HttpApi(typeof(CoverageJson))]
            internal interface ICoverage
            {
                {{members}}
                [Post("/form")] Task PostForm([Body(BodySerialization.UrlEncodedForm)] Form? form, CancellationToken cancellationToken);
                [Post("/form2")] Task PostForm2([Body(BodySerialization.UrlEncodedForm)] Form form, CancellationToken cancellationToken);
            }
            """;

        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));

        Assert.Empty(diagnostics);
        string generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains("global::Coverage.Wide.Min => \"Min\"", generated, StringComparison.Ordinal);
        Assert.Contains("((long)value).ToString(", generated, StringComparison.Ordinal);
        Assert.Contains("((byte)value).ToString(", generated, StringComparison.Ordinal);
        GeneratorHarness.EmitClean(output);
        Assert.Empty(await AotAnalyzers.AnalyzeAsync(output));
    }
}
