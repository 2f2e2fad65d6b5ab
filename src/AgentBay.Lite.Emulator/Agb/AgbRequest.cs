using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Agb;

/// <summary>
/// One AGB request: its route, its query, and (once the key was checked) its JSON body's top-level fields. A field is
/// looked up in the body first, then in the query, by name in any casing; empty values count as absent, as on the RPC face.
/// </summary>
internal sealed class AgbRequest(AgbRoute route, IQueryCollection query) : IOperationFeature
{
    private readonly Dictionary<string, string> _body = new(StringComparer.OrdinalIgnoreCase);

    public AgbRoute Route { get; } = route;

    public string Operation => Route.Operation;

    public bool IsKnownOperation => true;

    /// <summary>A field's value: body first, then query; objects and arrays in the body as their JSON text.</summary>
    public string? this[string name] =>
        _body.TryGetValue(name, out var value) ? value
        : query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1]
        : null;

    /// <summary>Reads the body as a JSON object (an empty body is <c>{}</c>); returns the error to answer, or null.</summary>
    public async ValueTask<(int Status, string Code, string Message)?> ReadBodyAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength is { } declared && declared > limit)
        {
            return TooLarge(limit);
        }

        if (request.ContentType is { Length: > 0 } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (415, "UnsupportedMediaType", $"The body must be application/json, not \"{Text.Clip(type)}\".");
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return TooLarge(limit);
            }

            if (result.IsCompleted)
            {
                var error = buffer.IsEmpty ? null : Parse(buffer);
                reader.AdvanceTo(buffer.End);
                return error is null ? null : (400, "MalformedBody", error);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private string? Parse(ReadOnlySequence<byte> body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return "The body is not valid JSON: send a JSON object such as {\"sessionId\":\"…\"}.";
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"The body must be a JSON object, not a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}.";
            }

            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
                if (!string.IsNullOrEmpty(value))
                {
                    _body[property.Name] = value;
                }
            }
        }

        return null;
    }

    private static (int, string, string) TooLarge(long limit) =>
        (413, "RequestEntityTooLarge", $"The request body exceeds the emulator's limit of {limit.ToString(CultureInfo.InvariantCulture)} bytes.");
}
