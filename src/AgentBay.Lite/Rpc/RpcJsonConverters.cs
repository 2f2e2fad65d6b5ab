using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// Reads a value that the service sends either as JSON or as a string holding that JSON (the spec allows both for
/// <c>Data</c>). Metadata for <typeparamref name="T"/> comes from the options' source-generated resolver.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
internal sealed class EmbeddedJsonConverter<T> : JsonConverter<T>
    where T : class
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var text = reader.GetString();
                return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize(text, typeInfo);
            default:
                // The element converter reads the object in place; JsonSerializer.Deserialize(ref reader, …) would
                // first skip over it to find its end and then read it again.
                return ((JsonConverter<T>)typeInfo.Converter).Read(ref reader, typeof(T), options);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }
}

/// <summary>
/// Reads a list <c>Data</c> like <see cref="EmbeddedJsonConverter{T}"/>, and also an empty object <c>{}</c> as no list:
/// failure envelopes carry <c>"Data":{}</c> whatever the action's success shape, and the failure must still be read
/// (and reported with its code) instead of making the whole answer unreadable. A non-empty object is still an error.
/// </summary>
/// <typeparam name="T">The list type.</typeparam>
internal sealed class EmbeddedJsonListConverter<T> : JsonConverter<T>
    where T : class
{
    private static readonly EmbeddedJsonConverter<T> Inner = new();

    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            var probe = reader;
            if (probe.Read() && probe.TokenType == JsonTokenType.EndObject)
            {
                reader.Skip();
                return null;
            }
        }

        return Inner.Read(ref reader, typeToConvert, options);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => Inner.Write(writer, value, options);
}

/// <summary>Reads a boolean from <c>true</c>/<c>false</c>, the strings <c>"true"</c>/<c>"True"</c>/<c>"false"</c>, or 1/0.</summary>
internal sealed class LenientBooleanConverter : JsonConverter<bool?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt64(out var number) && number is 0 or 1 => number == 1,
        JsonTokenType.String when bool.TryParse(reader.GetString(), out var parsed) => parsed,
        _ => throw new JsonException($"Expected a boolean, found {reader.TokenType}."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } flag)
        {
            writer.WriteBooleanValue(flag);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>Reads a field documented as a JSON string; when it arrives as an object or array, keeps its raw JSON text.</summary>
internal sealed class RawJsonTextConverter : JsonConverter<string?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            default:
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    return document.RootElement.GetRawText();
                }
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
