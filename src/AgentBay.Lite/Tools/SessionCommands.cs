namespace AgentBay.Lite;

/// <summary>Runs shell commands in a session (the service's <c>shell</c> tool). Get it from <see cref="AgentBaySession.Commands"/>.</summary>
/// <remarks>
/// Its members are virtual and it has a protected constructor, so a test can substitute it (e.g. with NSubstitute)
/// together with <see cref="AgentBaySession"/> and <see cref="IAgentBayClient"/>.
/// </remarks>
public class SessionCommands
{
    private readonly Tools.ToolService? _tools;
    private readonly Tools.ToolTarget _target = Tools.ToolTarget.None;

    /// <summary>For substitutes in tests; a substitute's calls do nothing unless set up.</summary>
    protected SessionCommands()
    {
    }

    internal SessionCommands(Tools.ToolService? tools, Tools.ToolTarget target)
    {
        _tools = tools;
        _target = target;
    }

    /// <summary>Runs a command in the session's shell and returns what it printed and its exit code.</summary>
    /// <param name="command">The command line, e.g. <c>python3 -m http.server 30150 &amp;</c>.</param>
    /// <param name="options">
    /// Timeout (clamped to the service's 50-second limit; 50 seconds when not given), working directory and
    /// environment variables; or <see langword="null"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the call (the command may still run in the session).</param>
    /// <returns>The result. A non-zero exit code is a result, not an exception: check <see cref="CommandResult.Succeeded"/>.</returns>
    /// <exception cref="ArgumentException">The command is blank, the timeout is not positive, or an option is invalid.</exception>
    /// <exception cref="AgentBayException">The service or the tool failed without running the command to an exit code.</exception>
    public virtual Task<CommandResult> ExecuteAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default) =>
        AgentBaySession.Connected(_tools).RunCommandAsync(_target, command, options, cancellationToken);

    /// <summary>Runs a command with the default options. See <see cref="ExecuteAsync(string, CommandOptions?, CancellationToken)"/>.</summary>
    /// <param name="command">The command line.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    public virtual Task<CommandResult> ExecuteAsync(string command, CancellationToken cancellationToken) =>
        ExecuteAsync(command, options: null, cancellationToken);
}
