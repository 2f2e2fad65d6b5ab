namespace AgentBay.Lite.Resilience;

/// <summary>
/// One attempt exceeded <see cref="AgentBayOptions.Timeout"/>. Internal: it tells the retry pipeline the attempt may
/// be repeated, and becomes <see cref="AgentBayTimeoutException"/> if it is the last one.
/// </summary>
internal sealed class AttemptTimeoutException : TimeoutException
{
    public AttemptTimeoutException()
    {
    }

    public AttemptTimeoutException(string message)
        : base(message)
    {
    }

    public AttemptTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
