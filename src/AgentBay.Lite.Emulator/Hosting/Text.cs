using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator;

/// <summary>Helpers for putting client input into messages, and for refusing text that cannot be passed on.</summary>
internal static class Text
{
    /// <summary>Shortens client input quoted in a message to 80 characters, never splitting or keeping a broken surrogate pair.</summary>
    public static string Clip(string? s)
    {
        if (s is null)
        {
            return "";
        }

        var clipped = s.Length <= 80 ? s : string.Concat(s.AsSpan(0, char.IsHighSurrogate(s[79]) ? 79 : 80), "…");
        return IsValidUtf16(clipped) ? clipped : Replace(clipped);
    }

    /// <summary>True when <paramref name="text"/> has no lone surrogate, i.e. can be written as UTF-8 and JSON.</summary>
    public static bool IsValidUtf16(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            text = text[consumed..];
        }

        return true;
    }

    /// <summary>
    /// The first property name or string in <paramref name="element"/> that holds a lone surrogate (JSON allows
    /// <c>"\ud800"</c>, but no .NET string reader or UTF-8 writer passes it on), as a short path for the refusal
    /// message; null when all are valid.
    /// </summary>
    public static string? FindInvalidString(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetString(element, out _) ? null : path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path + ".(a property name)";
                    }

                    if (FindInvalidString(property.Value, path + "." + name) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalidString(item, path + "[" + index++ + "]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Reads a JSON string, false when it holds a lone surrogate (which <see cref="JsonElement.GetString"/> refuses).</summary>
    public static bool TryGetString(JsonElement element, out string value)
    {
        try
        {
            value = element.GetString() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = string.Empty;
            return false;
        }
    }

    private static string Replace(string text)
    {
        var sb = new StringBuilder(text.Length);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            Rune.DecodeFromUtf16(rest, out var rune, out var consumed); // an invalid sequence decodes as U+FFFD
            sb.Append(rune.ToString());
            rest = rest[consumed..];
        }

        return sb.ToString();
    }

    /// <summary>True when <paramref name="json"/> is valid JSON whose root is of <paramref name="kind"/>.</summary>
    public static bool IsJsonOf(string json, JsonValueKind kind)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == kind;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
