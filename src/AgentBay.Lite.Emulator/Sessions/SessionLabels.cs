using System.Text.Json;

namespace AgentBay.Lite.Emulator.Sessions;

/// <summary>Session labels as every face sends them: a JSON object of string values (parsed, never string-compared).</summary>
internal static class SessionLabels
{
    /// <summary>The emulator's bounds on labels (the service documents none; these keep one request from holding megabytes).</summary>
    public const int MaxCount = 64, MaxKeyLength = 128, MaxValueLength = 512;

    public static bool TryParse(string json, out IReadOnlyDictionary<string, string> labels, out string error)
    {
        labels = EmulatedSession.EmptyLabels;
        error = "";
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "Labels must be a JSON object string such as {\"project\":\"demo\"}.";
                return false;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    error = $"Labels values must be strings; \"{Text.Clip(p.Name)}\" is a JSON {p.Value.ValueKind.ToString().ToLowerInvariant()}.";
                    return false;
                }

                if (!Text.TryGetString(p.Value, out var value))
                {
                    error = "Labels must be valid Unicode text; a key or value holds a lone surrogate (such as \\ud800).";
                    return false;
                }

                if (p.Name.Length > MaxKeyLength || value.Length > MaxValueLength)
                {
                    error = $"A label key may have at most {MaxKeyLength} characters and a value at most {MaxValueLength}; \"{Text.Clip(p.Name)}\" is longer.";
                    return false;
                }

                if (result.Count == MaxCount)
                {
                    error = $"A session may have at most {MaxCount} labels.";
                    return false;
                }

                result[p.Name] = value;
            }

            labels = result;
            return true;
        }
        catch (JsonException)
        {
            error = "Labels must be a JSON object string such as {\"project\":\"demo\"}; it is not valid JSON.";
            return false;
        }
        catch (InvalidOperationException)
        {
            // A property name with a lone surrogate: JsonProperty.Name refuses to read it.
            error = "Labels must be valid Unicode text; a key or value holds a lone surrogate (such as \\ud800).";
            return false;
        }
    }

    /// <summary>True when <paramref name="labels"/> has every entry of <paramref name="filter"/>.</summary>
    public static bool HasAll(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> filter)
    {
        foreach (var (k, v) in filter)
        {
            if (!labels.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
