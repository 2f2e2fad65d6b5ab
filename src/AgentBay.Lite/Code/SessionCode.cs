using System.Runtime.CompilerServices;
using System.Text;
using AgentBay.Lite.Code;

namespace AgentBay.Lite;

/// <summary>
/// Runs programs in a session and streams their output over the session's <see cref="AgentBaySession.WsUrl"/>, as
/// the official SDKs' <c>code.run(…, stream_beta=True)</c> does. Get it from <see cref="AgentBaySession.Code"/>.
/// </summary>
/// <remarks>
/// All runs of a session share one WebSocket (opened on the first run with the session's token, kept alive with a
/// ping every 20 s, closed when the session is deleted or the client disposed); runs proceed at once, side by side.
/// If the socket drops, pending runs fail with <see cref="AgentBayStreamException"/> and the next run reconnects.
/// Its members are virtual and it has a protected constructor, so a test can substitute it.
/// </remarks>
public class SessionCode
{
    /// <summary>The language runs use when none is given.</summary>
    public const string DefaultLanguage = "python";

    /// <summary>The run time limit when none is given: 60 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly CodeStreamService? _streams;
    private readonly string _sessionId = string.Empty;
    private readonly Uri? _wsUrl;
    private readonly string? _token;
    private readonly string _target = "wuying_codespace";

    /// <summary>For substitutes in tests; a substitute's calls do nothing unless set up.</summary>
    protected SessionCode()
    {
    }

    internal SessionCode(CodeStreamService? streams, string sessionId, Uri? wsUrl, string? token, IReadOnlyDictionary<string, string> toolServers)
    {
        _streams = streams;
        _sessionId = sessionId;
        _wsUrl = wsUrl;
        _token = token;
        if (toolServers.TryGetValue("run_code", out string? server) && !string.IsNullOrEmpty(server))
        {
            _target = server;
        }
    }

    /// <summary>
    /// Runs a program and yields its output, results and end as they happen; the last event is always
    /// <see cref="CodeEventKind.End"/>.
    /// </summary>
    /// <param name="code">The program, e.g. Python source.</param>
    /// <param name="language">The language: <c>python</c> (default); others as the session's image offers them.</param>
    /// <param name="timeout">How long the program may run before the service kills it (whole seconds); default 60 s.</param>
    /// <param name="cancellationToken">Stops the stream at once (the program itself runs on until its timeout).</param>
    /// <returns>The events, as the program produces them.</returns>
    /// <exception cref="ArgumentException">The code is null or empty, the language blank, or the timeout not positive.</exception>
    /// <exception cref="AgentBayStreamException">The session has no ws_url or token, the socket dropped, or the service refused the run.</exception>
    /// <exception cref="AgentBayAuthenticationException">The ws_url refused the session's token.</exception>
    public virtual IAsyncEnumerable<CodeEvent> StreamAsync(string code, string language = DefaultLanguage, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(language);
        TimeSpan limit = timeout ?? DefaultTimeout;
        if (limit <= TimeSpan.Zero || limit.TotalSeconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive (it is sent in whole seconds); leave it null for 60 seconds.");
        }

        CodeStreamService streams = AgentBaySession.Connected(_streams);
        if (_wsUrl is null || string.IsNullOrEmpty(_token))
        {
            throw new AgentBayStreamException(
                $"Session {_sessionId} has no {(_wsUrl is null ? "ws_url" : "token")}: the service gave none, so its code cannot be streamed. Run it with session.Commands instead.");
        }

        return streams.For(_sessionId, _wsUrl, _token).RunAsync(code, language, (int)Math.Ceiling(limit.TotalSeconds), _target, cancellationToken);
    }

    /// <summary>Runs a program to its end and returns everything it produced. See <see cref="StreamAsync"/>.</summary>
    /// <param name="code">The program.</param>
    /// <param name="language">The language; <c>python</c> by default.</param>
    /// <param name="timeout">How long the program may run; default 60 s.</param>
    /// <param name="cancellationToken">Stops waiting for the run.</param>
    /// <returns>The output and how the run ended; a failed program is a result with <see cref="CodeResult.Succeeded"/> false, not an exception.</returns>
    public virtual async Task<CodeResult> RunAsync(string code, string language = DefaultLanguage, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var results = new List<CodeEvent>();
        string? error = null;
        await foreach (CodeEvent e in StreamAsync(code, language, timeout, cancellationToken).ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case CodeEventKind.Stdout:
                    stdout.Append(e.Text);
                    break;
                case CodeEventKind.Stderr:
                    stderr.Append(e.Text);
                    break;
                case CodeEventKind.Result:
                    results.Add(e);
                    break;
                case CodeEventKind.Error:
                    error ??= e.Text;
                    break;
                case CodeEventKind.End:
                    bool succeeded = e.Succeeded == true;
                    return new CodeResult(stdout.ToString(), stderr.ToString(), results, succeeded, succeeded ? null : e.Text ?? error, e.ExecutionCount, e.ExecutionTime);
            }
        }

        throw new AgentBayStreamException($"The code stream of session {_sessionId} ended without an end event.");
    }
}
