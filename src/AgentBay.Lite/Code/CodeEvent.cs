namespace AgentBay.Lite;

/// <summary>What a <see cref="CodeEvent"/> reports.</summary>
public enum CodeEventKind
{
    /// <summary>A chunk of standard output, in <see cref="CodeEvent.Text"/>.</summary>
    Stdout,

    /// <summary>A chunk of standard error, in <see cref="CodeEvent.Text"/>.</summary>
    Stderr,

    /// <summary>A rich result (e.g. a value or a plot), in <see cref="CodeEvent.Mime"/>.</summary>
    Result,

    /// <summary>The program failed (an exception, a timeout); the message is in <see cref="CodeEvent.Text"/>.</summary>
    Error,

    /// <summary>The run is over: <see cref="CodeEvent.Succeeded"/>, <see cref="CodeEvent.ExecutionTime"/>; always the last event.</summary>
    End,
}

/// <summary>One event of a streamed code run (<see cref="SessionCode.StreamAsync"/>), delivered as the program produces it.</summary>
public sealed class CodeEvent
{
    internal CodeEvent(CodeEventKind kind, string? text = null, IReadOnlyDictionary<string, string>? mime = null, bool isMainResult = false,
        bool? succeeded = null, int? executionCount = null, TimeSpan? executionTime = null, long? sequence = null)
    {
        Kind = kind;
        Text = text;
        Mime = mime;
        IsMainResult = isMainResult;
        Succeeded = succeeded;
        ExecutionCount = executionCount;
        ExecutionTime = executionTime;
        Sequence = sequence;
    }

    /// <summary>What the event reports.</summary>
    public CodeEventKind Kind { get; }

    /// <summary>The output chunk (<see cref="CodeEventKind.Stdout"/>, <see cref="CodeEventKind.Stderr"/>) or the error message (<see cref="CodeEventKind.Error"/>, and <see cref="CodeEventKind.End"/> of a failed run); otherwise <see langword="null"/>.</summary>
    public string? Text { get; }

    /// <summary>A <see cref="CodeEventKind.Result"/>'s representations by MIME type (<c>text/plain</c>, <c>image/png</c> as base64, …); otherwise <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string>? Mime { get; }

    /// <summary>Whether a <see cref="CodeEventKind.Result"/> is the run's main result (the value of its last expression).</summary>
    public bool IsMainResult { get; }

    /// <summary>On <see cref="CodeEventKind.End"/>: whether the run finished (<see langword="true"/>) or failed.</summary>
    public bool? Succeeded { get; }

    /// <summary>On <see cref="CodeEventKind.End"/>: the service's execution counter, when it gives one.</summary>
    public int? ExecutionCount { get; }

    /// <summary>On <see cref="CodeEventKind.End"/>: how long the program ran, when the service says.</summary>
    public TimeSpan? ExecutionTime { get; }

    /// <summary>The event's sequence number within its run, when the service gives one.</summary>
    public long? Sequence { get; }

    /// <summary>The kind and, for output, the text.</summary>
    public override string ToString() => Text is null ? Kind.ToString() : $"{Kind}: {Text}";
}

/// <summary>The whole of a code run (<see cref="SessionCode.RunAsync"/>): its output, results and how it ended.</summary>
public sealed class CodeResult
{
    internal CodeResult(string stdout, string stderr, IReadOnlyList<CodeEvent> results, bool succeeded, string? error, int? executionCount, TimeSpan? executionTime)
    {
        Stdout = stdout;
        Stderr = stderr;
        Results = results;
        Succeeded = succeeded;
        Error = error;
        ExecutionCount = executionCount;
        ExecutionTime = executionTime;
    }

    /// <summary>Everything the program wrote to standard output.</summary>
    public string Stdout { get; }

    /// <summary>Everything the program wrote to standard error.</summary>
    public string Stderr { get; }

    /// <summary>The rich results (<see cref="CodeEventKind.Result"/> events), in order.</summary>
    public IReadOnlyList<CodeEvent> Results { get; }

    /// <summary>Whether the run finished; <see langword="false"/> when the program failed or timed out (see <see cref="Error"/>).</summary>
    public bool Succeeded { get; }

    /// <summary>Why the run failed, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>The service's execution counter, when it gives one.</summary>
    public int? ExecutionCount { get; }

    /// <summary>How long the program ran, when the service says.</summary>
    public TimeSpan? ExecutionTime { get; }
}
