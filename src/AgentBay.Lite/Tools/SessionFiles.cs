using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Tools;

namespace AgentBay.Lite;

/// <summary>
/// Writes and reads text files in a session (the service's <c>write_file</c>, <c>get_file_info</c> and
/// <c>read_file</c> tools). Get it from <see cref="AgentBaySession.Files"/>.
/// </summary>
/// <remarks>
/// The service limits how much one tool call may carry, so content larger than <see cref="ChunkSize"/> bytes (UTF-8)
/// is written in several calls, the first with the requested mode and the rest appending, and large files are read in
/// several calls. A chunked write is not atomic: if a later chunk fails, the file holds the chunks written before it.
/// Its members are virtual and it has a protected constructor, so a test can substitute it.
/// </remarks>
public class SessionFiles
{
    /// <summary>The most content, in UTF-8 bytes, one write or read call carries: 50 KiB, as in the official SDKs.</summary>
    public const int ChunkSize = 50 * 1024;

    /// <summary>
    /// The largest file <see cref="ReadAsync"/> reads: 64 MiB. The size comes from the service; a larger one is refused
    /// before anything is read, so a wrong or hostile answer cannot make the SDK allocate or loop without bound.
    /// </summary>
    public const long MaxReadSize = 64 * 1024 * 1024;

    internal const string WriteTool = "write_file";
    internal const string ReadTool = "read_file";
    internal const string InfoTool = "get_file_info";
    internal const string BinaryFormat = "binary";

    private readonly AgentBayClient? _client;
    private readonly string _sessionId = string.Empty;

    /// <summary>For substitutes in tests; a substitute's calls do nothing unless set up.</summary>
    protected SessionFiles()
    {
    }

    internal SessionFiles(AgentBayClient? client, string sessionId)
    {
        _client = client;
        _sessionId = sessionId;
    }

    /// <summary>Writes text to a file in the session, creating it if needed.</summary>
    /// <param name="path">The file's absolute path in the session, e.g. <c>/tmp/index.html</c>.</param>
    /// <param name="content">The text to write (UTF-8); may be empty.</param>
    /// <param name="mode">Replace the file's content (default) or append to it.</param>
    /// <param name="cancellationToken">Cancels the call; chunks already written stay written.</param>
    /// <returns>A task that completes when every chunk is written.</returns>
    /// <exception cref="ArgumentException">The path is blank, the content is null or the mode is not defined.</exception>
    /// <exception cref="AgentBayException">The service or the tool failed (e.g. permission denied).</exception>
    public virtual async Task WriteAsync(string path, string content, FileWriteMode mode = FileWriteMode.Overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(content);
        string firstMode = mode switch
        {
            FileWriteMode.Overwrite => "overwrite",
            FileWriteMode.Append => "append",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use FileWriteMode.Overwrite or FileWriteMode.Append."),
        };

        int start = 0;
        do
        {
            int length = NextChunkLength(content, start, ChunkSize);
            string chunk = start == 0 && length == content.Length ? content : content.Substring(start, length);
            var arguments = new WriteFileArguments(path, chunk, start == 0 ? firstMode : "append");
            string json = JsonSerializer.Serialize(arguments, ToolJsonContext.Instance.WriteFileArguments);

            ToolResult result = await AgentBaySession.Connected(_client).CallToolAsync(_sessionId, WriteTool, json, cancellationToken).ConfigureAwait(false);
            if (result.IsError)
            {
                throw ToolErrors.Failed(WriteTool, _sessionId, result.Text, result.RequestId);
            }

            start += length;
        }
        while (start < content.Length);
    }

    /// <summary>Overwrites a file with text. See <see cref="WriteAsync(string, string, FileWriteMode, CancellationToken)"/>.</summary>
    /// <param name="path">The file's absolute path in the session.</param>
    /// <param name="content">The text to write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public virtual Task WriteAsync(string path, string content, CancellationToken cancellationToken) =>
        WriteAsync(path, content, FileWriteMode.Overwrite, cancellationToken);

    /// <summary>
    /// Reads a text file (UTF-8) in the session: its size first, then its content in one call, or, above
    /// <see cref="ChunkSize"/> bytes, in parts of at most that many bytes fetched as base64 and decoded together.
    /// </summary>
    /// <param name="path">The file's absolute path in the session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The file's content; empty for an empty file.</returns>
    /// <exception cref="ArgumentException">The path is blank.</exception>
    /// <exception cref="AgentBayException">
    /// The file does not exist, is a directory, is larger than <see cref="MaxReadSize"/>, or the service or the tool
    /// failed; <see cref="AgentBayProtocolException"/> when a part does not have the length asked for.
    /// </exception>
    public virtual async Task<string> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string sessionId = _sessionId;

        string infoJson = JsonSerializer.Serialize(new PathArguments(path), ToolJsonContext.Instance.PathArguments);
        ToolResult info = await AgentBaySession.Connected(_client).CallToolAsync(sessionId, InfoTool, infoJson, cancellationToken).ConfigureAwait(false);
        if (info.IsError)
        {
            throw ToolErrors.Failed(InfoTool, sessionId, info.Text, info.RequestId);
        }

        (long size, bool isDirectory) = ParseFileInfo(path, info);
        if (isDirectory)
        {
            throw new AgentBayException(
                $"'{path}' in session {sessionId} is a directory, not a file. Give the path of a file.",
                code: null,
                serverMessage: null,
                info.RequestId,
                statusCode: null);
        }

        if (size == 0)
        {
            return string.Empty;
        }

        if (size > MaxReadSize)
        {
            throw new AgentBayException(
                $"'{path}' in session {sessionId} is {size} bytes, more than ReadAsync reads (SessionFiles.MaxReadSize, {MaxReadSize / (1024 * 1024)} MiB). Read it in the session instead, e.g. compress or split it with a command.",
                code: null,
                serverMessage: null,
                info.RequestId,
                statusCode: null);
        }

        if (size <= ChunkSize)
        {
            return await ReadPartAsync(new ReadFileArguments(path, Offset: null, Length: null), cancellationToken).ConfigureAwait(false);
        }

        // Parts are read as bytes (base64) and decoded once at the end: a part boundary at a byte offset may fall inside
        // a multi-byte UTF-8 character, which per-part text decoding would turn into two replacement characters.
        // The buffer grows with what actually arrives rather than trusting the reported size up front.
        using var bytes = new MemoryStream();
        for (long offset = 0; offset < size; offset += ChunkSize)
        {
            long length = Math.Min(ChunkSize, size - offset);
            string base64 = await ReadPartAsync(new ReadFileArguments(path, offset, length, BinaryFormat), cancellationToken).ConfigureAwait(false);
            byte[] part;
            try
            {
                part = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new AgentBayProtocolException(
                    $"The {ReadTool} tool answered a binary read of '{path}' (offset {offset}) with text that is not base64, so the file cannot be read in parts.",
                    ToolErrors.Excerpt(base64),
                    requestId: null,
                    statusCode: null);
            }

            if (part.Length != length)
            {
                throw new AgentBayProtocolException(
                    $"The {ReadTool} tool answered a read of {length} bytes of '{path}' (offset {offset}) with {part.Length} bytes; the file may have changed while it was read. Read it again.",
                    ToolErrors.Excerpt(base64),
                    requestId: null,
                    statusCode: null);
            }

            bytes.Write(part);
        }

        return Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    private async Task<string> ReadPartAsync(ReadFileArguments arguments, CancellationToken cancellationToken)
    {
        string json = JsonSerializer.Serialize(arguments, ToolJsonContext.Instance.ReadFileArguments);
        ToolResult result = await AgentBaySession.Connected(_client).CallToolAsync(_sessionId, ReadTool, json, cancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            throw ToolErrors.Failed(ReadTool, _sessionId, result.Text, result.RequestId);
        }

        return result.Text ?? string.Empty;
    }

    /// <summary>Reads <c>size</c> and <c>isDirectory</c> from get_file_info's <c>key: value</c> lines.</summary>
    internal static (long Size, bool IsDirectory) ParseFileInfo(string path, ToolResult info)
    {
        long? size = null;
        bool isDirectory = false;
        foreach (string line in (info.Text ?? string.Empty).Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (key.Equals("size", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
            {
                size = parsed;
            }
            else if (key.Equals("isDirectory", StringComparison.OrdinalIgnoreCase))
            {
                isDirectory = value.Equals("true", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (size is null && !isDirectory)
        {
            throw new AgentBayProtocolException(
                $"The {InfoTool} tool did not report the size of '{path}', so the file cannot be read in chunks.",
                ToolErrors.Excerpt(info.Text),
                info.RequestId,
                statusCode: null);
        }

        return (size ?? 0, isDirectory);
    }

    /// <summary>
    /// How many characters from <paramref name="start"/> fit in <paramref name="maxBytes"/> UTF-8 bytes without
    /// splitting a surrogate pair; at least one character (or pair) when any remain.
    /// </summary>
    internal static int NextChunkLength(string content, int start, int maxBytes)
    {
        int bytes = 0;
        int index = start;
        while (index < content.Length)
        {
            char c = content[index];
            int charCount = 1;
            int byteCount;
            if (c < 0x80)
            {
                byteCount = 1;
            }
            else if (c < 0x800)
            {
                byteCount = 2;
            }
            else if (char.IsHighSurrogate(c) && index + 1 < content.Length && char.IsLowSurrogate(content[index + 1]))
            {
                byteCount = 4;
                charCount = 2;
            }
            else
            {
                byteCount = 3; // Including a lone surrogate, which UTF-8 encodes as U+FFFD.
            }

            if (bytes + byteCount > maxBytes && index > start)
            {
                break;
            }

            bytes += byteCount;
            index += charCount;
        }

        return index - start;
    }
}
