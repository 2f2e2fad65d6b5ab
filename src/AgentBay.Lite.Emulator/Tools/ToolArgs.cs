using System.Globalization;
using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>Reads tool arguments (a JSON object) with clear errors for missing or mistyped ones.</summary>
internal static class ToolArgs
{
    /// <summary>
    /// Parses tool arguments sent as JSON text (CallMcpTool's <c>Args</c>, AGB's <c>args</c>): a JSON object whose strings
    /// are valid Unicode. On <see langword="null"/>, <paramref name="problem"/> says what is wrong, naming <paramref name="field"/>.
    /// </summary>
    public static JsonDocument? Parse(string text, string field, out string? problem)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            problem = $"{field} must be a JSON object string of tool arguments; it is not valid JSON.";
            return null;
        }

        problem = document.RootElement.ValueKind != JsonValueKind.Object
            ? $"{field} must be a JSON object string of tool arguments, not a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}."
            : Text.FindInvalidString(document.RootElement) is { } invalid
                ? $"{field} holds text that is not valid Unicode at {Text.Clip(invalid)} (a lone surrogate such as \\ud800)."
                : null;
        if (problem is not null)
        {
            document.Dispose();
            return null;
        }

        return document;
    }

    public static string RequiredString(JsonElement args, string name) =>
        OptionalString(args, name) ?? throw new ToolArgumentException($"the argument \"{name}\" is required and must be a non-empty string.");

    public static string? OptionalString(JsonElement args, string name, bool allowEmpty = false)
    {
        if (!TryGet(args, name, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw new ToolArgumentException($"the argument \"{name}\" must be a string.");
        }

        var s = v.GetString()!;
        return s.Length == 0 && !allowEmpty ? null : s;
    }

    public static bool OptionalBool(JsonElement args, string name)
    {
        if (!TryGet(args, name, out var v))
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
            _ => throw new ToolArgumentException($"the argument \"{name}\" must be true or false."),
        };
    }

    public static int? OptionalInt(JsonElement args, string name)
    {
        var l = OptionalLong(args, name);
        return l is null ? null : (int)Math.Clamp(l.Value, int.MinValue, int.MaxValue);
    }

    public static long? OptionalLong(JsonElement args, string name)
    {
        if (!TryGet(args, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
        {
            return n;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
        {
            return (long)d;
        }

        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n))
        {
            return n;
        }

        throw new ToolArgumentException($"the argument \"{name}\" must be an integer.");
    }

    /// <summary>An array of strings (also accepted: a single string).</summary>
    public static List<string> StringList(JsonElement args, string name, bool required)
    {
        if (!TryGet(args, name, out var v))
        {
            return required ? throw new ToolArgumentException($"the argument \"{name}\" is required and must be an array of strings.") : [];
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            return [v.GetString()!];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new ToolArgumentException($"the argument \"{name}\" must be an array of strings.");
        }

        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new ToolArgumentException($"the argument \"{name}\" must be an array of strings."));
        }

        return list;
    }

    public static bool TryGet(JsonElement args, string name, out JsonElement value)
    {
        value = default;
        return args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }
}
