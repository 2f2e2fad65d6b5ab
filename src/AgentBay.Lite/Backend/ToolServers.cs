using System.Collections.ObjectModel;
using System.Text.Json;

namespace AgentBay.Lite.Backend;

/// <summary>
/// Reads a session's tool list (<c>ToolList</c>/<c>toolList</c>: a JSON array, or a JSON string holding one, of
/// <c>{name, server}</c>) into tool name → MCP server, for the direct tool route. Tolerant as the official SDKs are:
/// <c>Name</c>/<c>Server</c> and <c>serverName</c> are read too; anything unreadable gives an empty map, which only
/// keeps tool calls on the API route.
/// </summary>
internal static class ToolServers
{
    public static IReadOnlyDictionary<string, string> Empty { get; } = ReadOnlyDictionary<string, string>.Empty;

    public static IReadOnlyDictionary<string, string> Parse(string? toolList)
    {
        if (string.IsNullOrWhiteSpace(toolList))
        {
            return Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(toolList);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                return Parse(root.GetString());
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                return Empty;
            }

            var servers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonElement tool in root.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object
                    && Text(tool, "name", "Name") is { } name
                    && Text(tool, "server", "Server", "serverName") is { } server)
                {
                    servers.TryAdd(name, server);
                }
            }

            return servers.Count == 0 ? Empty : servers.AsReadOnly();
        }
        catch (JsonException)
        {
            return Empty;
        }
    }

    private static string? Text(JsonElement element, params ReadOnlySpan<string> names)
    {
        foreach (string name in names)
        {
            if (element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }
}
