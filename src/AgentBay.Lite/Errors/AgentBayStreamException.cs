namespace AgentBay.Lite;

/// <summary>
/// A streamed code run (<see cref="SessionCode"/>) failed on the wire: the session's ws_url connection dropped (the
/// run's remaining output is lost; the next run reconnects), could not be opened, or the service refused the run.
/// The program may still be running in the session.
/// </summary>
public sealed class AgentBayStreamException : AgentBayException
{
    /// <summary>Creates an exception with a default message.</summary>
    public AgentBayStreamException()
        : base("The session's code stream failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public AgentBayStreamException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public AgentBayStreamException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
