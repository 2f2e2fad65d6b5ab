namespace AgentBay.Lite;

/// <summary>
/// An AgentBay call did not finish within a limit the SDK enforces: <see cref="AgentBayOptions.Timeout"/> for one
/// attempt, <see cref="AgentBayRetryOptions.TotalTimeout"/> for a call with its retries, or <see cref="AgentBayOptions.DeleteTimeout"/> for waiting on a deletion. The message names the limit
/// that was hit; <see cref="Timeout"/> is its value. Cancellation by the caller's own token is never reported this
/// way: it surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class AgentBayTimeoutException : AgentBayException
{
    /// <summary>Creates an exception with a default message.</summary>
    public AgentBayTimeoutException()
        : base("An AgentBay call timed out.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public AgentBayTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public AgentBayTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the limit that was hit.</summary>
    /// <param name="message">What happened and which setting to change.</param>
    /// <param name="timeout">The limit that was hit.</param>
    /// <param name="innerException">The cause, if any.</param>
    public AgentBayTimeoutException(string message, TimeSpan timeout, Exception? innerException)
        : base(message, innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The limit that was hit, or <see langword="null"/> if not known.</summary>
    public TimeSpan? Timeout { get; }
}
