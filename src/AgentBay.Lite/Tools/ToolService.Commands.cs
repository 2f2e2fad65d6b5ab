using System.Text.Json;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tools;

// The command protocol: the service's "shell" tool, its arguments and its answers.
internal sealed partial class ToolService
{
    internal const string ShellTool = "shell";
    internal const int MaxTimeoutMilliseconds = 50_000;

    /// <summary>Runs a command in the session's shell; a non-zero exit is a result, not an exception.</summary>
    public async Task<CommandResult> RunCommandAsync(ToolTarget target, string command, CommandOptions? options, CancellationToken cancellationToken)
    {
        ShellArguments arguments = CreateArguments(command, options);
        string json = JsonSerializer.Serialize(arguments, ToolJsonContext.Instance.ShellArguments);

        ToolResult result = await CallAsync(target, ShellTool, json, cancellationToken).ConfigureAwait(false);
        return ParseResult(target.SessionId, result);
    }

    /// <summary>Validates the call and builds the tool's arguments.</summary>
    internal static ShellArguments CreateArguments(string command, CommandOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (options is null)
        {
            return new ShellArguments(command, MaxTimeoutMilliseconds, WorkingDirectory: null, Environment: null);
        }

        int timeoutMs = MaxTimeoutMilliseconds;
        if (options.Timeout is { } timeout)
        {
            if (timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options),
                    timeout,
                    "CommandOptions.Timeout must be positive. Leave it null for the service's maximum of 50 seconds.");
            }

            // The service allows at most 50 s; longer timeouts are clamped, as every official SDK does.
            timeoutMs = timeout.TotalMilliseconds >= MaxTimeoutMilliseconds
                ? MaxTimeoutMilliseconds
                : (int)Math.Ceiling(timeout.TotalMilliseconds);
        }

        if (options.WorkingDirectory is not null && string.IsNullOrWhiteSpace(options.WorkingDirectory))
        {
            throw new ArgumentException(
                "CommandOptions.WorkingDirectory is blank. Set it to a directory such as /tmp, or leave it null for the session's default.",
                nameof(options));
        }

        Dictionary<string, string>? environment = null;
        if (options.Environment.Count > 0)
        {
            environment = new Dictionary<string, string>(options.Environment.Count, StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> variable in options.Environment)
            {
                if (string.IsNullOrWhiteSpace(variable.Key))
                {
                    throw new ArgumentException("CommandOptions.Environment has an empty variable name.", nameof(options));
                }

                environment[variable.Key] = variable.Value ?? throw new ArgumentException(
                    $"CommandOptions.Environment['{variable.Key}'] is null. Give it a value (it may be empty).",
                    nameof(options));
            }
        }

        return new ShellArguments(command, timeoutMs, options.WorkingDirectory, environment);
    }

    /// <summary>
    /// Reads the shell tool's answer: JSON with <c>stdout</c>, <c>stderr</c>, <c>exit_code</c> (or <c>errorCode</c>)
    /// and <c>traceId</c>; or, from older services, plain text, which is the output of a successful run.
    /// </summary>
    internal static CommandResult ParseResult(string sessionId, ToolResult result)
    {
        ShellOutput? output = TryReadJson(result);
        if (output is not null)
        {
            int? exitCode = output.ExitCode ?? output.ErrorCode;
            if (exitCode is null && result.IsError)
            {
                throw ToolErrors.Failed(ShellTool, sessionId, FirstNonEmpty(output.Stderr, output.Stdout, result.Text), result.RequestId);
            }

            return new CommandResult(
                exitCode ?? 0,
                output.Stdout ?? string.Empty,
                output.Stderr ?? string.Empty,
                string.IsNullOrEmpty(output.TraceId) ? null : output.TraceId);
        }

        if (result.IsError)
        {
            throw ToolErrors.Failed(ShellTool, sessionId, result.Text, result.RequestId);
        }

        return new CommandResult(0, result.Text ?? string.Empty, string.Empty, traceId: null);
    }

    private static ShellOutput? TryReadJson(ToolResult result)
    {
        string text = result.Text ?? string.Empty;
        if (!text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null; // Not JSON after all: plain text from an older service.
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (!root.TryGetProperty("stdout", out _)
                && !root.TryGetProperty("stderr", out _)
                && !root.TryGetProperty("exit_code", out _)
                && !root.TryGetProperty("errorCode", out _))
            {
                return null; // Some other JSON text, e.g. a command's output printed by an older service.
            }

            try
            {
                return root.Deserialize(ToolJsonContext.Instance.ShellOutput);
            }
            catch (JsonException ex)
            {
                throw new AgentBayProtocolException(
                    $"The shell tool answered with a result the SDK cannot read ({ex.Message}). The service may be newer than this SDK; check for an update.",
                    ToolErrors.Excerpt(text),
                    result.RequestId,
                    statusCode: null);
            }
        }
    }

    private static string FirstNonEmpty(string? a, string? b, string c) =>
        !string.IsNullOrEmpty(a) ? a : !string.IsNullOrEmpty(b) ? b : c;
}
