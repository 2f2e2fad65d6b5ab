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
