using System.Text.Json;
using AgentBay.Lite.Emulator.Sessions.Sandbox;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>The text and error flag of an MCP <c>CallToolResult</c>.</summary>
internal sealed record ToolResult(string Text, bool IsError)
{
    public static ToolResult Fail(string text) => new(text, true);
}

/// <summary>
/// Runs the emulated MCP tools of one session: <c>shell</c> in the session's sandbox, and the file tools on what the
/// session sees (<see cref="ConfinedFiles"/>). Tool failures are results with <c>IsError</c>, never exceptions.
/// </summary>
internal sealed class ToolRunner : IDisposable
{
    public static readonly (string Name, string Server, string Description)[] Tools =
    [
        ("shell", "wuying_shell", "Run a shell command with /bin/sh in the session's working directory."),
        ("write_file", "wuying_filesystem", "Write text to a file (mode overwrite, append or create_new)."),
        ("read_file", "wuying_filesystem", "Read a file, optionally a byte range (offset, length)."),
        ("get_file_info", "wuying_filesystem", "Describe a file or directory as key: value lines."),
        ("list_directory", "wuying_filesystem", "List a directory as [FILE] name / [DIR] name lines."),
        ("create_directory", "wuying_filesystem", "Create a directory and any missing parents."),
        ("delete_file", "wuying_filesystem", "Delete a file, a symlink or an empty directory."),
        ("move_file", "wuying_filesystem", "Move or rename a file or directory (source, destination)."),
        ("read_multiple_files", "wuying_filesystem", "Read several files (paths) in one call."),
        ("search_files", "wuying_filesystem", "Find names under a directory matching a pattern (glob or substring), skipping excludePatterns."),
        ("edit_file", "wuying_filesystem", "Replace text in a file (edits: [{oldText, newText}], dryRun)."),
        ("run_code", "wuying_codespace", "Run a program (code, language: python or javascript, timeout_s) and return its output; the session's ws_url streams it instead."),
    ];

    private static readonly string AvailableNames = string.Join(", ", Tools.Select(t => t.Name));

    private readonly ShellTool _shell;

    public ToolRunner(string root, ExecutionMode mode, string? sandboxUnavailableReason)
    {
        Root = Path.GetFullPath(root);
        Mode = mode;
        _shell = new ShellTool(Path.Combine(Root, ".io"), mode, sandboxUnavailableReason);
        Code = new CodeRunner(mode, sandboxUnavailableReason);
    }

    /// <summary>Runs programs (<c>run_code</c>, and the code streams of ws_url).</summary>
    public CodeRunner Code { get; }

    /// <summary>The MCP server a tool belongs to, or null for a tool the emulator does not have.</summary>
    public static string? ServerOf(string tool)
    {
        foreach (var (name, server, _) in Tools)
        {
            if (name == tool)
            {
                return server;
            }
        }

        return null;
    }

    /// <summary>The work root: one directory per session, plus <c>.io</c> for captured command output.</summary>
    public string Root { get; }

    public ExecutionMode Mode { get; }

    public void Dispose()
    {
        _shell.Dispose();
        Code.Dispose();
    }

    public string SessionDirectory(string sessionId) => Path.Combine(Root, sessionId);

    /// <summary>How long one file tool call may take before it answers with a tool error.</summary>
    public static readonly TimeSpan FileOperationDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs a file tool with a deadline. Opens never block (FIFOs, sockets and devices are refused), but a walk of a huge
    /// tree or a slow disk can still take long: past the deadline the caller gets a tool error at once and the request
    /// thread is free; the abandoned work finishes on its own.
    /// </summary>
    internal static async Task<ToolResult> WithDeadlineAsync(string tool, Func<ToolResult> operation, TimeSpan deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(operation, cancellationToken).WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ToolResult.Fail($"Error: {tool} did not finish within {deadline.TotalSeconds:0.###} s, the emulator's deadline for a file operation.");
        }
    }

    public Task<ToolResult> CallAsync(SessionWorkspace workspace, string tool, JsonElement args, CancellationToken cancellationToken) =>
        CallAsync(workspace, tool, args, null, cancellationToken);

    /// <summary>Runs one tool for a session.</summary>
    /// <param name="workspace">The session's workspace.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="shellOutput">For <c>shell</c>: receives the output as the command writes it (the live view's terminal).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tool's result.</returns>
    public async Task<ToolResult> CallAsync(SessionWorkspace workspace, string tool, JsonElement args, ShellOutput? shellOutput, CancellationToken cancellationToken)
    {
        var files = new ConfinedFiles(workspace);
        try
        {
            if (tool == "shell")
            {
                return await _shell.RunAsync(workspace, files, args, shellOutput, cancellationToken).ConfigureAwait(false);
            }

            if (tool == "run_code")
            {
                return await RunCodeAsync(workspace, args, cancellationToken).ConfigureAwait(false);
            }

            Func<ToolResult>? fileTool = tool switch
            {
                "write_file" => () => FileTools.WriteFile(files, args),
                "read_file" => () => FileTools.ReadFile(files, args),
                "get_file_info" => () => FileTools.GetFileInfo(files, args),
                "list_directory" => () => FileTools.ListDirectory(files, args),
                "create_directory" => () => FileTools.CreateDirectory(files, args),
                "delete_file" => () => FileTools.DeleteFile(files, args),
                "move_file" => () => FileTools.MoveFile(files, args),
                "read_multiple_files" => () => FileTools.ReadMultipleFiles(files, args),
                "search_files" => () => FileTools.SearchFiles(files, args),
                "edit_file" => () => FileTools.EditFile(files, args),
                _ => null,
            };
            return fileTool is null
                ? ToolResult.Fail($"Error: tool \"{tool}\" is not available in the AgentBay emulator (available: {AvailableNames}).")
                : await WithDeadlineAsync(tool, fileTool, FileOperationDeadline, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolArgumentException ex)
        {
            return ToolResult.Fail("Error: " + ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ToolResult.Fail("Error: " + ex.Message);
        }
    }

    /// <summary><c>run_code</c> through a tool call: the program's output (stdout, then stderr) once it has ended.</summary>
    private async Task<ToolResult> RunCodeAsync(SessionWorkspace workspace, JsonElement args, CancellationToken cancellationToken)
    {
        var code = ToolArgs.RequiredString(args, "code");
        var language = ToolArgs.OptionalString(args, "language") ?? "python";
        var timeoutS = ToolArgs.OptionalInt(args, "timeout_s") ?? 60;
        if (timeoutS <= 0)
        {
            return ToolResult.Fail("Error: timeout_s must be a positive number of seconds.");
        }

        if (Code.Refusal(language) is { } refusal)
        {
            return ToolResult.Fail("Error: " + refusal + ".");
        }

        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        var end = await Code.RunAsync(workspace, language, code, TimeSpan.FromSeconds(timeoutS), (which, chunk) =>
        {
            var target = which == CodeOutput.Stdout ? stdout : stderr;
            lock (target)
            {
                target.Append(chunk);
            }

            return ValueTask.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        var text = stdout.Append(stderr).ToString();
        return end.Finished ? new ToolResult(text, false) : ToolResult.Fail(text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + "Error: " + end.Error);
    }
}
