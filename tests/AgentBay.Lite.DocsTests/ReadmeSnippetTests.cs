using System.Reflection;
using AgentBay.Lite.Emulator;
using Microsoft.CodeAnalysis;

namespace AgentBay.Lite.DocsTests;

/// <summary>Every C# block of the READMEs compiles against today's SDK and emulator (convention: <see cref="SnippetCompiler"/>).</summary>
public class ReadmeSnippetTests
{
    private static readonly string[] Readmes = ["README.md", "src/AgentBay.Lite.Emulator/README.md"];

    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (MarkdownSnippet snippet in Readmes.SelectMany(Read))
        {
            data.Add(snippet.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Block_compiles_against_the_sdk(string location)
    {
        MarkdownSnippet snippet = Find(location);
        if (snippet.Options.Contains("outline"))
        {
            IReadOnlyList<string> problems = SnippetCompiler.CheckOutline(snippet, PublicTypes());
            Assert.True(problems.Count == 0, $"{location} (outline): {string.Join("; ", problems)}");
            return;
        }

        IReadOnlyList<Diagnostic> errors = SnippetCompiler.Compile(snippet);
        Assert.True(errors.Count == 0,
            $"{location} does not compile:\n{string.Join('\n', errors)}\n\nas compiled:\n{SnippetCompiler.ToSource(snippet)}");
    }

    [Fact]
    public void The_main_readme_has_csharp_blocks_and_each_is_found_once()
    {
        IReadOnlyList<MarkdownSnippet> snippets = Read("README.md");
        int fences = File.ReadAllLines(Path.Combine(Repository.Root(), "README.md")).Count(l => l.Trim() is "```csharp" or "```cs");

        Assert.NotEmpty(snippets);
        Assert.Equal(fences, snippets.Count);
    }

    // The defect issue 16 found: the README assigned a new dictionary to a get-only property.
    [Fact]
    public void A_sample_assigning_a_get_only_property_fails()
    {
        var snippet = new MarkdownSnippet("test.md", 1, """
            await using var client = new AgentBayClient(new AgentBayOptions { ApiKey = "akm-x" });
            await using AgentBaySession browser = await client.CreateSessionAsync(
                new CreateSessionOptions { ImageId = "browser_latest", Labels = new Dictionary<string, string> { ["team"] = "qa" } });
            """, [], "");

        IReadOnlyList<Diagnostic> errors = SnippetCompiler.Compile(snippet);

        Assert.Contains(errors, e => e.Id == "CS0200");
    }

    [Fact]
    public void Names_a_fragment_assumes_come_from_its_snippet_comment_and_are_type_checked()
    {
        const string Markdown = """
            <!-- snippet
            IAgentBayClient client = null!;
            -->
            ```csharp
            SessionLink link = await client.GetLinkAsync("s-1", LinkRequest.Cdp);
            ```

            ```csharp
            SessionLink link = await client.GetLinkAsync("s-1", LinkRequest.Cdp);
            ```

            <!-- snippet
            string client = "";
            -->
            ```csharp
            SessionLink link = await client.GetLinkAsync("s-1", LinkRequest.Cdp);
            ```
            """;
        IReadOnlyList<MarkdownSnippet> snippets = MarkdownSnippet.Extract("test.md", Markdown);

        Assert.Equal(3, snippets.Count);
        Assert.Empty(SnippetCompiler.Compile(snippets[0]));
        Assert.Contains(SnippetCompiler.Compile(snippets[1]), e => e.Id == "CS0103");   // client does not exist
        Assert.Contains(SnippetCompiler.Compile(snippets[2]), e => e.Id == "CS1061");   // string has no GetLinkAsync
    }

    [Fact]
    public void An_expression_list_is_compiled_line_by_line()
    {
        var good = new MarkdownSnippet("test.md", 1, "LinkRequest.Cdp     // a comment\nLinkRequest.Https(30150)", [], "");
        var bad = new MarkdownSnippet("test.md", 1, "LinkRequest.Cdp\nLinkRequest.Ftp(21)", [], "");

        Assert.True(SnippetCompiler.IsExpressionList(good.Code));
        Assert.Empty(SnippetCompiler.Compile(good));
        Assert.Contains(SnippetCompiler.Compile(bad), e => e.Id == "CS0117");
    }

    [Fact]
    public void Internals_stay_hidden_unless_the_block_is_marked()
    {
        const string Code = "using AgentBay.Lite.Http;\ninternal interface IApi { [Post(\"/\")] Task<string> SendAsync(CancellationToken cancellationToken); }";

        Assert.Contains(SnippetCompiler.Compile(new MarkdownSnippet("test.md", 1, Code, [], "")), e => e.Id == "CS0122");
        Assert.Empty(SnippetCompiler.Compile(new MarkdownSnippet("test.md", 1, Code, ["internals"], "")));
    }

    [Fact]
    public void An_outline_cannot_hide_a_sample_or_name_what_does_not_exist()
    {
        var sample = new MarkdownSnippet("test.md", 1, "var client = new AgentBayClient(new AgentBayOptions());", ["outline"], "");
        var drifted = new MarkdownSnippet("test.md", 1, "public sealed class AgentBayEmulator { void Teleport(); Uri Endpoint { get; } }", ["outline"], "");
        var current = new MarkdownSnippet("test.md", 1, "public sealed class AgentBayEmulator { void Reseed(int seed); Uri Endpoint { get; } }", ["outline"], "");

        Assert.NotEmpty(SnippetCompiler.CheckOutline(sample, PublicTypes()));
        Assert.Equal(["AgentBayEmulator.Teleport is not a public member"], SnippetCompiler.CheckOutline(drifted, PublicTypes()));
        Assert.Empty(SnippetCompiler.CheckOutline(current, PublicTypes()));
    }

    private static MarkdownSnippet Find(string location) =>
        Readmes.SelectMany(Read).Single(s => s.ToString() == location);

    private static IReadOnlyList<MarkdownSnippet> Read(string file) =>
        MarkdownSnippet.Extract(file, File.ReadAllText(Path.Combine(Repository.Root(), file)));

    private static IReadOnlyList<Type> PublicTypes() =>
        [.. typeof(AgentBayClient).Assembly.GetExportedTypes(), .. typeof(AgentBayEmulator).Assembly.GetExportedTypes()];
}
