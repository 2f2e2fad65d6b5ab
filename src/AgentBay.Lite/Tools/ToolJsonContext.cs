using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentBay.Lite.Tools;

/// <summary>Arguments of the <c>shell</c> tool.</summary>
internal sealed record ShellArguments(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("timeout_ms")] int TimeoutMs,
    [property: JsonPropertyName("cwd")] string? WorkingDirectory,
    [property: JsonPropertyName("envs")] IReadOnlyDictionary<string, string>? Environment);

/// <summary>Arguments of the <c>write_file</c> tool.</summary>
internal sealed record WriteFileArguments(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("mode")] string Mode);

/// <summary>
/// Arguments of the <c>read_file</c> tool; offset and length (bytes) only when reading a part, and then
/// <c>format:"binary"</c> (base64) so a part may end inside a multi-byte character.
/// </summary>
internal sealed record ReadFileArguments(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("offset")] long? Offset,
    [property: JsonPropertyName("length")] long? Length,
    [property: JsonPropertyName("format")] string? Format = null);

/// <summary>Arguments of tools that take only a path (<c>get_file_info</c>).</summary>
internal sealed record PathArguments([property: JsonPropertyName("path")] string Path);

/// <summary>The JSON text the <c>shell</c> tool answers with. Any field may be missing.</summary>
internal sealed record ShellOutput(
    [property: JsonPropertyName("stdout")] string? Stdout,
    [property: JsonPropertyName("stderr")] string? Stderr,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("errorCode")] int? ErrorCode,
    [property: JsonPropertyName("traceId")] string? TraceId);

/// <summary>
/// Source-generated (reflection-free) JSON for tool arguments and results. Use <see cref="Instance"/>: it writes
/// compact JSON, leaves out null optional arguments, and does not escape HTML or non-ASCII characters (file contents
/// stay their own size on the wire).
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ShellArguments))]
[JsonSerializable(typeof(WriteFileArguments))]
[JsonSerializable(typeof(ReadFileArguments))]
[JsonSerializable(typeof(PathArguments))]
[JsonSerializable(typeof(ShellOutput))]
internal sealed partial class ToolJsonContext : JsonSerializerContext
{
    /// <summary>The context with the SDK's settings.</summary>
    public static ToolJsonContext Instance { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    });
}
