namespace AgentBay.Lite;

/// <summary>What a command run in a session produced. A non-zero <see cref="ExitCode"/> is a result, not an error.</summary>
public sealed class CommandResult
{
    internal CommandResult(int exitCode, string stdout, string stderr, string? traceId)
    {
        ExitCode = exitCode;
        Stdout = stdout;
        Stderr = stderr;
        TraceId = traceId;
    }

    /// <summary>The command's exit code; 0 when the service reported none (older services send plain text).</summary>
    public int ExitCode { get; }

    /// <summary>
    /// What the command wrote to standard output. For an older service that answers with plain text instead of
    /// separate streams, that text.
    /// </summary>
    public string Stdout { get; }

    /// <summary>What the command wrote to standard error; empty when the service reported none.</summary>
    public string Stderr { get; }

    /// <summary><see cref="Stdout"/> followed by <see cref="Stderr"/>, as the official SDKs report it.</summary>
    public string Output => Stdout + Stderr;

    /// <summary>The service's trace id for the run, or <see langword="null"/> if it gave none.</summary>
    public string? TraceId { get; }

    /// <summary>Whether <see cref="ExitCode"/> is 0.</summary>
    public bool Succeeded => ExitCode == 0;
}
