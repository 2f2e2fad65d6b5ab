using System.Text.RegularExpressions;

namespace AgentBay.Lite.DocsTests;

/// <summary>The README's "public API at a glance" table names every public type of the SDK, and only those.</summary>
public sealed partial class PublicApiOverviewTests
{
    private const string Heading = "## The public API at a glance";

    [Fact]
    public void The_overview_names_exactly_the_public_types()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root(), "README.md"));
        int start = readme.IndexOf(Heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no \"{Heading}\" section.");
        int end = readme.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
        string section = end < 0 ? readme[start..] : readme[start..end];

        var listed = TableRow().Matches(section).Select(m => m.Groups["type"].Value).ToList();
        var exported = typeof(AgentBayClient).Assembly.GetExportedTypes().Select(NameInCode).ToList();

        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(exported.Except(listed, StringComparer.Ordinal));
        Assert.Empty(listed.Except(exported, StringComparer.Ordinal));
    }

    /// <summary>The name as C# code spells it: a nested type as <c>Outer.Inner</c>.</summary>
    private static string NameInCode(Type type) => type.DeclaringType is { } outer ? NameInCode(outer) + "." + type.Name : type.Name;

    [GeneratedRegex(@"^\| `(?<type>[A-Za-z.]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
