using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentBay.Lite.DocsTests;

/// <summary>
/// Compiles a README code block against the SDK, the emulator and the framework. The convention, so that a block can
/// stay a readable fragment and still be checked:
/// <list type="bullet">
/// <item>Every <c>```csharp</c> block is compiled; none is skipped. Its <c>using</c> directives go to the top of the
/// file, its type declarations stay at file level, and its statements become the body of an <c>async Task</c> method, so
/// <c>await</c> works as in a top-level program.</item>
/// <item>The usual namespaces are imported for it: the implicit usings of a console app, <c>AgentBay.Lite</c>,
/// <c>AgentBay.Lite.Emulator</c> and <c>Microsoft.Extensions.DependencyInjection</c>.</item>
/// <item>Names a fragment assumes (a <c>client</c>, <c>services</c>, a handler class) are declared in an HTML comment
/// right before the block, invisible on GitHub: <c>&lt;!-- snippet</c>, then C# lines, then <c>--&gt;</c>. Its
/// <c>using</c> lines go to the top of the file, everything else becomes members of the class around the method (fields,
/// helper methods, nested types), so the block's use of them is type-checked.</item>
/// <item>A block none of whose lines ends in <c>;</c>, <c>{</c> or <c>}</c> is a list of expressions, one per line
/// (e.g. the <c>LinkRequest</c> cases), each compiled as <c>_ = expression;</c>.</item>
/// <item><c>&lt;!-- snippet internals --&gt;</c> compiles the block with the SDK's internals visible: only for the
/// README's picture of the SDK's own generated transport, never for a usage sample.</item>
/// <item><c>&lt;!-- snippet outline --&gt;</c> marks an API outline (members listed without bodies): it is not
/// compiled, but every type it declares must be a public type of the SDK or the emulator and every method, property
/// and field it lists a public member of that type, so the outline cannot drift from the code. A block with a
/// statement or a member body is never an outline.</item>
/// </list>
/// Only errors fail a block; warnings (an unused variable in a fragment) do not.
/// </summary>
public static class SnippetCompiler
{
    /// <summary>Assembly name that the SDK's InternalsVisibleTo already admits (in-memory compilations in tests).</summary>
    private const string InternalsAssemblyName = "AgentBay.Lite.Generators.Tests.Compiled";

    private static readonly string[] DefaultUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks", "AgentBay.Lite", "AgentBay.Lite.Emulator", "Microsoft.Extensions.DependencyInjection",
    ];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The source file a block becomes (what <see cref="Compile"/> compiles).</summary>
    public static string ToSource(MarkdownSnippet snippet)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        string code = IsExpressionList(snippet.Code) ? AsStatements(snippet.Code) : snippet.Code;
        var block = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ParseOptions).GetRoot();
        var context = (CompilationUnitSyntax)CSharpSyntaxTree
            .ParseText("class __Context__ {\n" + WithoutUsings(snippet.Context, out string contextUsings) + "\n}", ParseOptions).GetRoot();

        var source = new StringBuilder();
        foreach (string ns in DefaultUsings)
        {
            source.Append("using ").Append(ns).AppendLine(";");
        }

        source.Append(contextUsings);
        foreach (UsingDirectiveSyntax directive in block.Usings)
        {
            source.AppendLine(directive.ToString());
        }

        foreach (MemberDeclarationSyntax member in block.Members.Where(m => m is not GlobalStatementSyntax))
        {
            source.AppendLine(member.ToFullString());
        }

        source.AppendLine("internal sealed class Snippet");
        source.AppendLine("{");
        foreach (MemberDeclarationSyntax member in ((ClassDeclarationSyntax)context.Members[0]).Members)
        {
            source.AppendLine(member.ToFullString());
        }

        source.AppendLine("    public async Task RunAsync()");
        source.AppendLine("    {");
        foreach (GlobalStatementSyntax statement in block.Members.OfType<GlobalStatementSyntax>())
        {
            source.AppendLine(statement.ToFullString());
        }

        source.AppendLine("    }");
        source.AppendLine("}");
        return source.ToString();
    }

    /// <summary>Compiles the block as <see cref="ToSource"/> writes it and returns the errors (none: it compiles).</summary>
    public static IReadOnlyList<Diagnostic> Compile(MarkdownSnippet snippet)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        bool internals = snippet.Options.Contains("internals");
        var compilation = CSharpCompilation.Create(
            internals ? InternalsAssemblyName : "AgentBay.Lite.DocsSnippet",
            [CSharpSyntaxTree.ParseText(ToSource(snippet), ParseOptions, path: snippet.ToString())],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var pe = new MemoryStream();
        return compilation.Emit(pe).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    /// <summary>
    /// For an outline block: what it names that the SDK and the emulator do not have publicly (empty: it matches), or
    /// why it is not an outline at all.
    /// </summary>
    public static IReadOnlyList<string> CheckOutline(MarkdownSnippet snippet, IReadOnlyList<Type> publicTypes)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        ArgumentNullException.ThrowIfNull(publicTypes);
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(snippet.Code, ParseOptions).GetRoot();
        var problems = new List<string>();
        if (root.Members.OfType<GlobalStatementSyntax>().Any())
        {
            problems.Add("an outline has no statements");
        }

        if (root.DescendantNodes().Any(n => n is BlockSyntax or ArrowExpressionClauseSyntax or AccessorDeclarationSyntax { Body: not null }))
        {
            problems.Add("an outline lists members without bodies; this block has bodies, so compile it instead");
        }

        foreach (BaseTypeDeclarationSyntax declaration in root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
        {
            string name = declaration.Identifier.ValueText;
            Type? type = publicTypes.FirstOrDefault(t => t.Name == name);
            if (type is null)
            {
                problems.Add($"type {name} is not a public type of the SDK or the emulator");
                continue;
            }

            var listed = declaration.DescendantNodes().Select(n => n switch
            {
                MethodDeclarationSyntax m => m.Identifier.ValueText,
                PropertyDeclarationSyntax p => p.Identifier.ValueText,
                _ => null,
            }).OfType<string>();
            var parameters = declaration is RecordDeclarationSyntax { ParameterList: { } list }
                ? list.Parameters.Select(p => p.Identifier.ValueText)
                : [];
            foreach (string member in listed.Concat(parameters).Distinct())
            {
                if (type.GetMember(member).Length == 0)
                {
                    problems.Add($"{name}.{member} is not a public member");
                }
            }
        }

        return problems;
    }

    /// <summary>True when no code line ends a statement or a block: a list of expressions, one per line.</summary>
    public static bool IsExpressionList(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var lines = code.Split('\n').Select(CodeOf).Where(l => l.Length > 0).ToList();
        return lines.Count > 0 && !lines.Any(l => l.EndsWith(';') || l.EndsWith('{') || l.EndsWith('}'));
    }

    private static string AsStatements(string code) =>
        string.Join('\n', code.Split('\n').Select(l => CodeOf(l).Length == 0 ? l : "_ = " + l + "\n;"));

    // A line without its trailing // comment, trimmed (good enough for the short expressions this mode is for).
    private static string CodeOf(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return (comment < 0 ? line : line[..comment]).Trim();
    }

    private static string WithoutUsings(string context, out string usings)
    {
        var kept = new StringBuilder();
        var found = new StringBuilder();
        foreach (string line in context.Split('\n'))
        {
            bool directive = line.TrimStart().StartsWith("using ", StringComparison.Ordinal) && !line.Contains('=', StringComparison.Ordinal)
                && !line.Contains('(', StringComparison.Ordinal);
            (directive ? found : kept).AppendLine(line);
        }

        usings = found.ToString();
        return kept.ToString();
    }

    // The framework (the test host's trusted platform assemblies) plus everything beside the test assembly: the SDK,
    // the emulator, Microsoft.Extensions.*; one reference per file name.
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        IEnumerable<string> platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        IEnumerable<string> beside = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(beside)
            .Where(p => !Path.GetFileName(p).StartsWith("AgentBay.Lite.DocsTests", StringComparison.OrdinalIgnoreCase))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToImmutableArray();
    }
}
