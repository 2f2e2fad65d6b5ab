using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentBay.Lite.Tests;

public class LinkRequestTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    public void Factories_reject_values_that_are_not_ports(int port)
    {
        var https = Assert.Throws<ArgumentOutOfRangeException>(() => LinkRequest.Https(port));
        var wss = Assert.Throws<ArgumentOutOfRangeException>(() => LinkRequest.Wss(port));

        foreach (ArgumentOutOfRangeException ex in new[] { https, wss })
        {
            Assert.Contains("not a TCP port", ex.Message, StringComparison.Ordinal);
            Assert.Equal(port, ex.ActualValue);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8080)]
    [InlineData(30100)]
    [InlineData(30199)]
    [InlineData(65535)]
    public void Factories_accept_any_port_the_policy_is_the_clients(int port)
    {
        Assert.Equal(port, LinkRequest.Https(port).Port);
        Assert.Equal(port, LinkRequest.Wss(port).Port);
    }

    [Fact]
    public void With_cannot_produce_a_value_that_is_not_a_port()
    {
        var https = Assert.Throws<ArgumentOutOfRangeException>(() => LinkRequest.Https(30150) with { Port = 0 });
        var wss = Assert.Throws<ArgumentOutOfRangeException>(() => LinkRequest.Wss(30150) with { Port = 65536 });

        Assert.Equal("Port", https.ParamName);
        Assert.Equal("Port", wss.ParamName);
        Assert.Equal(30200, (LinkRequest.Https(30150) with { Port = 30200 }).Port);
    }

    [Fact]
    public void Values_compare_by_case_and_port()
    {
        Assert.Equal(LinkRequest.Https(30150), LinkRequest.Https(30150));
        Assert.Equal(LinkRequest.Https(30150).GetHashCode(), LinkRequest.Https(30150).GetHashCode());
        Assert.NotEqual<LinkRequest>(LinkRequest.Https(30150), LinkRequest.Wss(30150));
        Assert.NotEqual(LinkRequest.Https(30150), LinkRequest.Https(30151));
        Assert.Equal(LinkRequest.Cdp, LinkRequest.Cdp);
        Assert.NotEqual<LinkRequest>(LinkRequest.Cdp, LinkRequest.Wss(30150));

        var set = new HashSet<LinkRequest> { LinkRequest.Https(30150), LinkRequest.Https(30150), LinkRequest.Wss(30150), LinkRequest.Cdp };
        Assert.Equal(3, set.Count);
    }

    [Fact]
    public void ToString_is_readable()
    {
        Assert.Equal("https:30150", LinkRequest.Https(30150).ToString());
        Assert.Equal("wss:30180", LinkRequest.Wss(30180).ToString());
        Assert.Equal("cdp", LinkRequest.Cdp.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Switch_matches_each_case(LinkRequest request, string expected)
    {
        string described = request switch
        {
            LinkRequest.CdpLink => "cdp",
            LinkRequest.HttpsLink { Port: var port } => $"https on {port}",
            LinkRequest.WssLink wss => $"wss on {wss.Port}",
            _ => "unknown",
        };

        Assert.Equal(expected, described);
    }

    public static TheoryData<LinkRequest, string> Cases() => new()
    {
        { LinkRequest.Cdp, "cdp" },
        { LinkRequest.Https(30150), "https on 30150" },
        { LinkRequest.Wss(30180), "wss on 30180" },
    };

    [Fact]
    public void Every_case_is_nested_and_sealed()
    {
        Type[] cases = typeof(LinkRequest).Assembly.GetTypes()
            .Where(t => t != typeof(LinkRequest) && typeof(LinkRequest).IsAssignableFrom(t))
            .ToArray();

        Assert.Equal(3, cases.Length);
        Assert.All(cases, t =>
        {
            Assert.False(t.IsAbstract, $"{t} is abstract");
            Assert.True(t.IsSealed, $"{t} is not sealed");
            Assert.Equal(typeof(LinkRequest), t.DeclaringType);
        });
    }

    [Theory]
    [InlineData(typeof(LinkRequest.CdpLink))]
    [InlineData(typeof(LinkRequest.HttpsLink))]
    [InlineData(typeof(LinkRequest.WssLink))]
    public void Cases_have_no_public_constructor(Type type)
    {
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
    }

    [Fact]
    public void Another_assembly_cannot_derive_a_case()
    {
        const string source = """
            public sealed record Evil : AgentBay.Lite.LinkRequest
            {
                public Evil() : base(AgentBay.Lite.LinkRequest.Cdp) { }
            }
            """;

        Diagnostic[] errors = Compile(source);

        Assert.Contains(errors, d => d.Id == "CS0534");
    }

    [Fact]
    public void The_compile_check_itself_accepts_valid_code()
    {
        // Proves the compilation in the test above is set up right: ordinary use of LinkRequest compiles.
        const string source = """
            public static class Ok
            {
                public static string Describe(AgentBay.Lite.LinkRequest r) => r switch
                {
                    AgentBay.Lite.LinkRequest.HttpsLink h => h.ToString(),
                    _ => r.ToString(),
                };
            }
            """;

        Assert.Empty(Compile(source));
    }

    private static Diagnostic[] Compile(string source)
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        IEnumerable<MetadataReference> references = platform
            .Where(p => !Path.GetFileName(p).StartsWith("AgentBay.Lite", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(LinkRequest).Assembly.Location));

        CSharpCompilation compilation = CSharpCompilation.Create(
            "Outsider",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
    }
}
