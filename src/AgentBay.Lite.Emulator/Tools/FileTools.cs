using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Sessions.Sandbox;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>
/// The file tools the official SDKs call, on a session's <see cref="ConfinedFiles"/>: argument names and result
/// texts follow the MCP filesystem server the cloud runs (see agentbay-rpc.md §3.14).
/// </summary>
internal static class FileTools
{
    /// <summary>
    /// The most bytes one call reads (and so the most file content one answer carries): SDKs read large files in 50–60 KB
    /// ranges, and a bound keeps a single call from costing the emulator hundreds of megabytes (the base64 text, its
    /// JSON and the HTTP body each hold a copy).
    /// </summary>
    public const long MaxReadBytes = 8L * 1024 * 1024;

    private const string MaxReadText = "8 MiB";

    private const int MaxListed = 10_000;

    public static ToolResult WriteFile(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        var content = ToolArgs.OptionalString(args, "content", allowEmpty: true) ?? "";
        var mode = ToolArgs.OptionalString(args, "mode") ?? "overwrite";
        if (mode is not ("overwrite" or "append" or "create_new"))
        {
            return ToolResult.Fail($"Error: mode must be overwrite, append or create_new, not \"{mode}\".");
        }

        var bytes = Encoding.UTF8.GetBytes(content);
        using (var stream = files.OpenWrite(path, mode, createParents: true))
        {
            stream.Write(bytes);
        }

        return new ToolResult($"Successfully wrote {bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes to {files.Display(path)}", false);
    }

    public static ToolResult ReadFile(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        var offset = ToolArgs.OptionalLong(args, "offset") ?? 0;
        var length = ToolArgs.OptionalLong(args, "length");
        if (offset < 0 || length is < 0)
        {
            return ToolResult.Fail("Error: offset and length must not be negative.");
        }

        var binary = string.Equals(ToolArgs.OptionalString(args, "format"), "binary", StringComparison.OrdinalIgnoreCase);
        using var stream = files.OpenRead(path);
        var available = Math.Max(0, stream.Length - offset);
        var count = length is { } l && l > 0 ? Math.Min(l, available) : available;
        if (count > MaxReadBytes)
        {
            return ToolResult.Fail($"Error: the emulator reads at most {MaxReadText} per call; pass offset and length to read a larger file in parts.");
        }

        var bytes = new byte[count];
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return new ToolResult(binary ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes), false);
    }

    public static ToolResult ReadMultipleFiles(ConfinedFiles files, JsonElement args)
    {
        var text = new StringBuilder();
        long total = 0;
        foreach (var path in ToolArgs.StringList(args, "paths", required: true))
        {
            try
            {
                using var stream = files.OpenRead(path);
                if (total + stream.Length > MaxReadBytes)
                {
                    throw new ToolArgumentException($"the answer would pass {MaxReadText}; read it with read_file and offset/length");
                }

                total += stream.Length;
                var bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
                text.Append(path).Append(":\n").Append(Encoding.UTF8.GetString(bytes)).Append('\n');
            }
            catch (Exception ex) when (ex is ToolArgumentException or IOException or UnauthorizedAccessException)
            {
                text.Append(path).Append(": Error - ").Append(ex.Message).Append('\n');
            }

            text.Append("\n---\n");
        }

        return new ToolResult(text.ToString(), false);
    }

    public static ToolResult GetFileInfo(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        if (files.Stat(path) is not { } status)
        {
            return ToolResult.Fail($"Error: path does not exist: {files.Display(path)}");
        }

        var display = files.Display(path);
        var name = Path.GetFileName(display.TrimEnd('/'));
        var modTime = DateTimeOffset.FromUnixTimeSeconds(status.MTimeSeconds).UtcDateTime;
        var sb = new StringBuilder(200);
        sb.Append("name: ").Append(name.Length == 0 ? "/" : name).Append('\n');
        sb.Append("path: ").Append(display).Append('\n');
        sb.Append("size: ").Append((status.IsDirectory ? 0 : status.Size).ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("isDirectory: ").Append(status.IsDirectory ? "true" : "false").Append('\n');
        sb.Append("modTime: ").Append(modTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("mode: ").Append(ModeString(status)).Append('\n');
        sb.Append("owner: ").Append(status.Uid.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("group: ").Append(status.Gid.ToString(CultureInfo.InvariantCulture));
        return new ToolResult(sb.ToString(), false);
    }

    public static ToolResult ListDirectory(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        var text = new StringBuilder();
        foreach (var (name, isDirectory) in files.List(path, MaxListed))
        {
            text.Append(isDirectory ? "[DIR] " : "[FILE] ").Append(name).Append('\n');
        }

        return new ToolResult(text.ToString().TrimEnd('\n'), false);
    }

    public static ToolResult CreateDirectory(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        files.CreateDirectory(path);
        return new ToolResult($"Successfully created directory {files.Display(path)}", false);
    }

    public static ToolResult DeleteFile(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        files.Delete(path);
        return new ToolResult($"Successfully deleted {files.Display(path)}", false);
    }

    public static ToolResult MoveFile(ConfinedFiles files, JsonElement args)
    {
        var source = ToolArgs.RequiredString(args, "source");
        var destination = ToolArgs.RequiredString(args, "destination");
        files.Move(source, destination);
        return new ToolResult($"Successfully moved {files.Display(source)} to {files.Display(destination)}", false);
    }

    /// <summary>Names matching <c>pattern</c> (a glob with <c>*</c>/<c>?</c>, else a case-insensitive substring), skipping <c>excludePatterns</c>.</summary>
    public static ToolResult SearchFiles(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        var pattern = ToolArgs.RequiredString(args, "pattern");
        var excludes = ToolArgs.StringList(args, "excludePatterns", required: false);
        var matches = files.Search(path, name => NameMatches(name, pattern), name => excludes.Exists(e => NameMatches(name, e)), MaxListed);
        return new ToolResult(matches.Count == 0 ? "No matches found" : string.Join('\n', matches), false);
    }

    /// <summary>Applies <c>edits</c> (<c>[{"oldText","newText"}]</c>, each old text must occur) in order; <c>dryRun</c> only reports.</summary>
    public static ToolResult EditFile(ConfinedFiles files, JsonElement args)
    {
        var path = ToolArgs.RequiredString(args, "path");
        var dryRun = ToolArgs.OptionalBool(args, "dryRun");
        if (!ToolArgs.TryGet(args, "edits", out var edits) || edits.ValueKind != JsonValueKind.Array)
        {
            return ToolResult.Fail("Error: the argument \"edits\" is required: an array of {\"oldText\",\"newText\"}.");
        }

        string text;
        using (var stream = files.OpenRead(path))
        {
            if (stream.Length > MaxReadBytes)
            {
                return ToolResult.Fail($"Error: the emulator edits files of at most {MaxReadText}.");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            text = Encoding.UTF8.GetString(bytes);
        }

        var changed = 0;
        foreach (var edit in edits.EnumerateArray())
        {
            var oldText = ToolArgs.RequiredString(edit, "oldText");
            var newText = ToolArgs.OptionalString(edit, "newText", allowEmpty: true) ?? "";
            var at = text.IndexOf(oldText, StringComparison.Ordinal);
            if (at < 0)
            {
                return ToolResult.Fail($"Error: could not find the text to replace: {Text.Clip(oldText)}");
            }

            text = string.Concat(text.AsSpan(0, at), newText, text.AsSpan(at + oldText.Length));
            changed++;
        }

        if (!dryRun)
        {
            using var stream = files.OpenWrite(path, "overwrite", createParents: false);
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        return new ToolResult($"{(dryRun ? "Would apply" : "Applied")} {changed.ToString(CultureInfo.InvariantCulture)} edit(s) to {files.Display(path)}", false);
    }

    private static bool NameMatches(string name, string pattern)
    {
        if (pattern.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return name.Contains(pattern, StringComparison.OrdinalIgnoreCase);
        }

        return System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: true);
    }

    private static string ModeString(Native.FileStatus status)
    {
        Span<char> s = stackalloc char[10];
        s[0] = status.IsDirectory ? 'd' : status.IsSymlink ? 'l' : status.IsRegular ? '-' : '?';
        const string letters = "rwxrwxrwx";
        for (var i = 0; i < 9; i++)
        {
            s[i + 1] = (status.Mode & (0x100 >> i)) != 0 ? letters[i] : '-';
        }

        return new string(s);
    }
}
