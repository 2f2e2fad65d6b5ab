using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tools;

// The file protocol: the service's write_file, get_file_info and read_file tools, chunked to their limits.
internal sealed partial class ToolService
{
    internal const string WriteTool = "write_file";
    internal const string ReadTool = "read_file";
    internal const string InfoTool = "get_file_info";
    internal const string BinaryFormat = "binary";
    private const int ChunkSize = SessionFiles.ChunkSize;
    private const long MaxReadSize = SessionFiles.MaxReadSize;

    /// <summary>Writes text to a file, in chunks of at most <see cref="SessionFiles.ChunkSize"/> UTF-8 bytes.</summary>
    public async Task WriteFileAsync(ToolTarget target, string path, string content, FileWriteMode mode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(content);
        string sessionId = target.SessionId;
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

            ToolResult result = await CallAsync(target, WriteTool, json, cancellationToken).ConfigureAwait(false);
            if (result.IsError)
            {
                throw ToolErrors.Failed(WriteTool, sessionId, result.Text, result.RequestId);
            }

            start += length;
        }
        while (start < content.Length);
    }

    /// <summary>Reads a text file: its size first, then its content in one call or in binary parts.</summary>
    public async Task<string> ReadFileAsync(ToolTarget target, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string sessionId = target.SessionId;

        string infoJson = JsonSerializer.Serialize(new PathArguments(path), ToolJsonContext.Instance.PathArguments);
        ToolResult info = await CallAsync(target, InfoTool, infoJson, cancellationToken).ConfigureAwait(false);
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
            return await ReadPartAsync(target, new ReadFileArguments(path, Offset: null, Length: null), cancellationToken).ConfigureAwait(false);
        }

        // Parts are read as bytes (base64) and decoded once at the end: a part boundary at a byte offset may fall inside
        // a multi-byte UTF-8 character, which per-part text decoding would turn into two replacement characters.
        // The buffer grows with what actually arrives rather than trusting the reported size up front.
        using var bytes = new MemoryStream();
        for (long offset = 0; offset < size; offset += ChunkSize)
        {
            long length = Math.Min(ChunkSize, size - offset);
            string base64 = await ReadPartAsync(target, new ReadFileArguments(path, offset, length, BinaryFormat), cancellationToken).ConfigureAwait(false);
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

    private async Task<string> ReadPartAsync(ToolTarget target, ReadFileArguments arguments, CancellationToken cancellationToken)
    {
        string sessionId = target.SessionId;
        string json = JsonSerializer.Serialize(arguments, ToolJsonContext.Instance.ReadFileArguments);
        ToolResult result = await CallAsync(target, ReadTool, json, cancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            throw ToolErrors.Failed(ReadTool, sessionId, result.Text, result.RequestId);
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
