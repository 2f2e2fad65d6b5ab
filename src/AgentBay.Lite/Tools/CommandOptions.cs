namespace AgentBay.Lite;

/// <summary>How <see cref="SessionCommands.ExecuteAsync(string, CommandOptions?, CancellationToken)"/> runs a command.</summary>
public sealed class CommandOptions
{
    /// <summary>The longest a command may run: 50 seconds, the limit the service allows.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromMilliseconds(Tools.ToolService.MaxTimeoutMilliseconds);

    /// <summary>
    /// How long the command may run in the session, sent as <c>timeout_ms</c>. Positive; values above
    /// <see cref="MaxTimeout"/> (50 seconds, the service's limit) are clamped to it. <see langword="null"/> means
    /// <see cref="MaxTimeout"/>. To start a long-running service, run it in the background (<c>cmd &amp;</c>).
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>The directory to run the command in (<c>cwd</c>), or <see langword="null"/> for the session's default.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Environment variables to set for the command (<c>envs</c>). Keys must not be empty.</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
