using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentBay.Lite.Generators.Parsing;

/// <summary>Compile-time escaping: URL data (same rules as the runtime), C# identifiers and literals.</summary>
internal static class Escaping
{
    /// <summary>Escapes like <c>Uri.EscapeDataString</c>: RFC 3986 unreserved characters kept, the rest percent-encoded UTF-8.</summary>
    public static string EscapeDataString(string value)
    {
        var builder = new StringBuilder(value.Length);
        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetBytes(value);
        foreach (byte b in bytes)
        {
            char c = (char)b;
            if (b < 0x80 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>An identifier, prefixed with <c>@</c> when it is a keyword.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
