using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Resilience;

/// <summary>
/// The resilience layer: a decorator over the wire backend that runs every operation through the
/// <see cref="RetryExecutor"/> (per-attempt and overall limits, retries of transient failures) with the safety the
/// <see cref="OperationSafety"/> table (or the wire backend's own, <paramref name="safety"/>) gives it, and that ends calls
/// in flight with <see cref="ObjectDisposedException"/> once the client is disposed (<paramref name="lifetime"/>).
/// </summary>
internal sealed class ResilientBackend(IAgentBayBackend inner, RetryExecutor retry, CancellationToken lifetime, Func<BackendOperation, CallSafety>? safety = null) : IAgentBayBackend
{
    private readonly Func<BackendOperation, CallSafety> _safety = safety ?? OperationSafety.Of;

    public Task<SessionRecord> CreateSessionAsync(SessionCreation request, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.CreateSession, request, static (b, r, t) => b.CreateSessionAsync(r, t), cancellationToken);

    public Task<SessionRecord> GetSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.GetSession, sessionId, static (b, id, t) => b.GetSessionAsync(id, t), cancellationToken);

    public Task<string> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.GetSessionStatus, sessionId, static (b, id, t) => b.GetSessionStatusAsync(id, t), cancellationToken);

    public Task<SessionPage> ListSessionsAsync(SessionListing request, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.ListSessions, request, static (b, r, t) => b.ListSessionsAsync(r, t), cancellationToken);

    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.DeleteSession, sessionId, static (b, id, t) => Done(b.DeleteSessionAsync(id, t)), cancellationToken);

    public Task RefreshIdleTimeAsync(string sessionId, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.RefreshIdleTime, sessionId, static (b, id, t) => Done(b.RefreshIdleTimeAsync(id, t)), cancellationToken);

    public Task<ResourceRecord> GetResourceAsync(string sessionId, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.GetResource, sessionId, static (b, id, t) => b.GetResourceAsync(id, t), cancellationToken);

    public Task<LinkRecord> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken) =>
        RunAsync(BackendOperation.GetLink, (sessionId, request), static (b, s, t) => b.GetLinkAsync(s.sessionId, s.request, t), cancellationToken);

    public Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken) =>
        RunAsync(
            BackendOperation.CallTool,
            (sessionId, toolName, argumentsJson),
            static (b, s, t) => b.CallToolAsync(s.sessionId, s.toolName, s.argumentsJson, t),
            cancellationToken);

    private Task<T> RunAsync<TState, T>(
        BackendOperation operation, TState state, Func<IAgentBayBackend, TState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (lifetime.IsCancellationRequested)
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(AgentBayClient)));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        return retry.ExecuteAsync(inner, state, call, static (_, answer) => answer, _safety(operation), cancellationToken, lifetime);
    }

    private static async Task<bool> Done(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }
}
