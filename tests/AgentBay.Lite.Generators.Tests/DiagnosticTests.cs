using AgentBay.Lite.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AgentBay.Lite.Generators.Tests;

/// <summary>One test per diagnostic: id, severity Error, and the exact span marked with <c>[|…|]</c>.</summary>
public sealed class DiagnosticTests
{
    private const string Prelude = """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentBay.Lite.Http;

        namespace Diag;

        public sealed class Reply { public string? Value { get; set; } }
        public sealed class Payload { public string? Value { get; set; } }
        public sealed class Unlisted { public string? Value { get; set; } }
        public sealed class BadForm
        {
            public string? Name { get; set; }
            public List<string>? Items { get; set; }
        }
        public sealed class JsonForm
        {
            [FormJson]
            public Unlisted? Extra { get; set; }
        }

        [JsonSerializable(typeof(Reply))]
        [JsonSerializable(typeof(Payload))]
        internal sealed partial class DiagJson : JsonSerializerContext;

        """;

    [Fact]
    public void ABLG001_missing_cancellation_token() => AssertSingle("ABLG001", Api("""
        [Get("/x")]
        Task<Reply> [|Ping|]();
        """), "CancellationToken");

    [Fact]
    public void ABLG002_unsupported_return_type() => AssertSingle("ABLG002", Api("""
        [Get("/x")]
        ValueTask<Reply> [|Ping|](CancellationToken cancellationToken);
        """), "Task<ApiResponse<T>>");

    [Fact]
    public void ABLG003_complex_type_as_query_value() => AssertSingle("ABLG003", Api("""
        [Get("/x")]
        Task<Reply> Ping(Payload [|payload|], CancellationToken cancellationToken);
        """), "[Body]");

    [Fact]
    public void ABLG003_complex_type_as_header() => AssertSingle("ABLG003", Api("""
        [Get("/x")]
        Task<Reply> Ping([Header("x-a")] Payload [|payload|], CancellationToken cancellationToken);
        """), "as a header");

    [Fact]
    public void ABLG004_body_type_missing_from_json_context() => AssertSingle("ABLG004", Api("""
        [Post("/x")]
        Task<Reply> Ping([Body] Unlisted [|body|], CancellationToken cancellationToken);
        """), "[JsonSerializable(typeof(Diag.Unlisted))]");

    [Fact]
    public void ABLG004_response_type_missing_from_json_context() => AssertSingle("ABLG004", Api("""
        [Get("/x")]
        Task<ApiResponse<Unlisted>> [|Ping|](CancellationToken cancellationToken);
        """), "response type");

    [Fact]
    public void ABLG004_form_json_property_type_missing_from_json_context() => AssertSingle("ABLG004", Api("""
        [Post("/x")]
        Task<Reply> Ping([Body(BodySerialization.UrlEncodedForm)] JsonForm form, CancellationToken cancellationToken);
        """), "[FormJson] property 'JsonForm.Extra'", markedProperty: "Extra");

    [Fact]
    public void ABLG005_context_not_a_json_serializer_context() => AssertSingle("ABLG005", """
        [HttpApi(typeof(Reply))]
        internal interface [|IApi|]
        {
            [Get("/x")]
            Task<Reply> Ping(CancellationToken cancellationToken);
        }
        """, "JsonSerializerContext");

    [Fact]
    public void ABLG006_route_placeholder_without_parameter() => AssertSingle("ABLG006", Api("""
        [Get("/items/{id}")]
        Task<Reply> [|Ping|](string other, CancellationToken cancellationToken);
        """), "'{id}'");

    [Fact]
    public void ABLG007_route_hole_also_marked_query() => AssertSingle("ABLG007", Api("""
        [Get("/items/{id}")]
        Task<Reply> Ping([Query] string [|id|], CancellationToken cancellationToken);
        """), "route placeholder {id} and [Query]");

    [Fact]
    public void ABLG007_two_bodies() => AssertSingle("ABLG007", Api("""
        [Post("/x")]
        Task<Reply> Ping([Body] Payload first, [Body] Payload [|second|], CancellationToken cancellationToken);
        """), "a second [Body]");

    [Fact]
    public void ABLG007_body_and_query_on_one_parameter() => AssertSingle("ABLG007", Api("""
        [Post("/x")]
        Task<Reply> Ping([Body, Query] Payload [|payload|], CancellationToken cancellationToken);
        """), "[Body] and [Query]");

    [Fact]
    public void ABLG008_method_without_verb() => AssertSingle("ABLG008", Api("""
        Task<Reply> [|Ping|](CancellationToken cancellationToken);
        """), "no HTTP verb");

    [Fact]
    public void ABLG009_form_property_of_unsupported_type() => AssertSingle("ABLG009", Api("""
        [Post("/x")]
        Task<Reply> Ping([Body(BodySerialization.UrlEncodedForm)] BadForm form, CancellationToken cancellationToken);
        """), "[FormJson]", markedProperty: "Items");

    [Fact]
    public void ABLG010_generic_interface() => AssertSingle("ABLG010", """
        [HttpApi(typeof(DiagJson))]
        internal interface [|IApi|]<T>
        {
            [Get("/x")]
            Task<Reply> Ping(CancellationToken cancellationToken);
        }
        """, "is generic");

    [Fact]
    public void ABLG011_generic_method() => AssertSingle("ABLG011", Api("""
        [Get("/x")]
        Task<Reply> [|Ping|]<T>(CancellationToken cancellationToken);
        """), "is generic");

    [Fact]
    public void ABLG012_invalid_route_template() => AssertSingle("ABLG012", Api("""
        [Get("/items/{id")]
        Task<Reply> [|Ping|](string id, CancellationToken cancellationToken);
        """), "not closed");

    [Fact]
    public void Moving_a_diagnostic_does_not_regenerate_other_source()
    {
        string good = Prelude + """
            [HttpApi(typeof(DiagJson))]
            internal interface IGood
            {
                [Get("/x")]
                Task<Reply> Ping(CancellationToken cancellationToken);
            }
            """;
        const string bad = """
            using System.Threading.Tasks;
            using AgentBay.Lite.Http;
            namespace Diag;
            [HttpApi(typeof(DiagJson))]
            internal interface IBad
            {
                [Get("/x")]
                Task<Reply> Ping();
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(good, bad);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Diagnostic before = Assert.Single(driver.GetRunResult().Diagnostics);
        Assert.Equal("ABLG001", before.Id);

        SyntaxTree badTree = compilation.SyntaxTrees.ElementAt(1);
        CSharpCompilation moved = compilation.ReplaceSyntaxTree(badTree, CSharpSyntaxTree.ParseText("\n\n" + bad, GeneratorHarness.ParseOptions, badTree.FilePath));
        GeneratorRunResult after = driver.RunGenerators(moved).GetRunResult().Results.Single();

        Assert.Equal(
            before.Location.GetLineSpan().StartLinePosition.Line + 2,
            Assert.Single(after.Diagnostics).Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(IncrementalStepRunReason.Modified, after.TrackedSteps[TrackingNames.Diagnostics].SelectMany(s => s.Outputs).Select(o => o.Reason));
        // The source pipeline's input (the model of IGood) did not move, so its source output is not redone.
        var modelReasons = after.TrackedSteps[TrackingNames.Model].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(modelReasons);
        Assert.All(modelReasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Equal(["Diag.IGood.g.cs"], after.GeneratedSources.Select(s => s.HintName));
    }

    private static string Api(string members) =>
        "[HttpApi(typeof(DiagJson))]\ninternal interface IApi\n{\n" + members + "\n}\n";

    private static void AssertSingle(string id, string source, string messageFragment, string? markedProperty = null)
    {
        string text = markedProperty is null
            ? Prelude + source
            : Prelude.Replace(" " + markedProperty + " { get", " [|" + markedProperty + "|] { get", StringComparison.Ordinal) + source;

        TextSpan expected = FindMarkedSpan(ref text);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(text);
        GeneratorRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(compilation.SyntaxTrees.Single().FilePath, diagnostic.Location.SourceTree?.FilePath ?? diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(expected, diagnostic.Location.SourceSpan);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(messageFragment, message, StringComparison.Ordinal);
        Assert.DoesNotContain("{0}", message, StringComparison.Ordinal);
        Assert.Empty(result.GeneratedSources);
    }

    private static TextSpan FindMarkedSpan(ref string text)
    {
        int start = text.IndexOf("[|", StringComparison.Ordinal);
        Assert.True(start >= 0, "The test source has no [| |] marker.");
        text = text.Remove(start, 2);
        int end = text.IndexOf("|]", start, StringComparison.Ordinal);
        text = text.Remove(end, 2);
        Assert.DoesNotContain("[|", text, StringComparison.Ordinal);
        return TextSpan.FromBounds(start, end);
    }
}
