namespace AgentBay.Lite.DocsTests;

/// <summary>
/// One <c>```csharp</c> block of a Markdown file, with the <c>&lt;!-- snippet … --&gt;</c> comment that may stand right
/// before it (see <see cref="SnippetCompiler"/> for the convention).
/// </summary>
/// <param name="File">The Markdown file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Code">The block's text, without the fences.</param>
/// <param name="Options">The words after <c>snippet</c> on the comment's first line (<c>internals</c>, <c>outline</c>).</param>
/// <param name="Context">The C# lines of the comment after its first line: names the block assumes.</param>
public sealed record MarkdownSnippet(string File, int Line, string Code, IReadOnlyList<string> Options, string Context)
{
    private const string Fence = "```";
    private const string CommentStart = "<!-- snippet";
    private const string CommentEnd = "-->";

    /// <summary>Every <c>```csharp</c> (or <c>```cs</c>) block of <paramref name="markdown"/>, in order.</summary>
    public static IReadOnlyList<MarkdownSnippet> Extract(string file, string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<MarkdownSnippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            string opening = lines[i].Trim();
            if (!opening.StartsWith(Fence, StringComparison.Ordinal))
            {
                continue;
            }

            string info = opening[Fence.Length..].Trim();
            int close = Array.FindIndex(lines, i + 1, l => l.Trim() == Fence);
            if (close < 0)
            {
                throw new InvalidOperationException($"{file}:{i + 1}: a code block is never closed.");
            }

            if (info is "csharp" or "cs" or "c#")
            {
                (IReadOnlyList<string> options, string context) = CommentBefore(lines, i);
                string code = string.Join('\n', lines[(i + 1)..close]);
                snippets.Add(new MarkdownSnippet(file, i + 1, code, options, context));
            }

            i = close;
        }

        return snippets;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}";

    // The snippet comment, if the nearest non-blank lines above the fence are one.
    private static (IReadOnlyList<string> Options, string Context) CommentBefore(string[] lines, int fence)
    {
        int end = fence - 1;
        while (end >= 0 && lines[end].Trim().Length == 0)
        {
            end--;
        }

        if (end < 0 || !lines[end].TrimEnd().EndsWith(CommentEnd, StringComparison.Ordinal))
        {
            return ([], "");
        }

        int start = end;
        while (start >= 0 && !lines[start].TrimStart().StartsWith("<!--", StringComparison.Ordinal))
        {
            start--;
        }

        if (start < 0 || !lines[start].TrimStart().StartsWith(CommentStart, StringComparison.Ordinal))
        {
            return ([], "");
        }

        string text = string.Join('\n', lines[start..(end + 1)]).Trim();
        text = text[CommentStart.Length..^CommentEnd.Length];
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        string firstLine = newline < 0 ? text : text[..newline];
        string context = newline < 0 ? "" : text[(newline + 1)..];
        string[] options = firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (options, context);
    }
}
