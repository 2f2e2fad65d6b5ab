namespace AgentBay.Lite.Resilience;

/// <summary>Whether an operation may be sent again after a failure that may have reached the service.</summary>
internal enum CallSafety
{
    /// <summary>Reads and deletion requests: repeating them changes nothing the caller can tell apart.</summary>
    Repeatable,

    /// <summary>
    /// Creating a session or calling a tool: a repeat could create a second session or run a command twice, so these
    /// are retried only when the request provably never left this machine (<see cref="TransientFaults.NeverSent"/>).
    /// </summary>
    NotRepeatable,
}

/// <summary>The one table of which operations are safe to repeat; the resilience layer reads nothing else.</summary>
internal static class OperationSafety
{
    /// <summary>Whether <paramref name="operation"/> may be sent again after a failure that may have reached the service.</summary>
    public static CallSafety Of(Backend.BackendOperation operation) => operation switch
    {
        Backend.BackendOperation.CreateSession => CallSafety.NotRepeatable,   // a repeat may create a second session
        Backend.BackendOperation.CallTool => CallSafety.NotRepeatable,        // a repeat may run a command twice
        Backend.BackendOperation.GetSession => CallSafety.Repeatable,
        Backend.BackendOperation.GetSessionStatus => CallSafety.Repeatable,
        Backend.BackendOperation.ListSessions => CallSafety.Repeatable,
        Backend.BackendOperation.DeleteSession => CallSafety.Repeatable,      // deleting twice deletes once
        Backend.BackendOperation.RefreshIdleTime => CallSafety.Repeatable,    // resetting a timer twice resets it once
        Backend.BackendOperation.GetResource => CallSafety.Repeatable,
        Backend.BackendOperation.GetLink => CallSafety.Repeatable,            // a second link is as good as the first
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Every operation needs a row in the table."),
    };
}
