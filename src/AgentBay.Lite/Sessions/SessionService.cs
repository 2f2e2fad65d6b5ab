using System.Runtime.CompilerServices;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Sessions;

/// <summary>
/// Session lifecycle over the (resilient) backend: create, get, list page by page, delete and wait until gone,
/// keep alive, and read details. Returns backend records and public models; building session objects is the facade's.
/// </summary>
internal sealed class SessionService(IAgentBayBackend backend, TimeSpan deleteTimeout, TimeSpan deletePollInterval, TimeProvider timeProvider)
{
    public Task<SessionRecord> CreateAsync(SessionCreation request, CancellationToken cancellationToken) =>
        backend.CreateSessionAsync(request, cancellationToken);

    public Task<SessionRecord> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        backend.GetSessionAsync(sessionId, cancellationToken);

    public Task KeepAliveAsync(string sessionId, CancellationToken cancellationToken) =>
        backend.RefreshIdleTimeAsync(sessionId, cancellationToken);

    /// <summary>Reads the session's resource details.</summary>
    public async Task<SessionInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken)
    {
        ResourceRecord record = await backend.GetResourceAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return new SessionInfo(
            string.IsNullOrEmpty(record.SessionId) ? sessionId : record.SessionId,
            ToUri(record.ResourceUrl),
            record.ResourceType,
            record.ResourceId,
            record.AppId,
            record.AuthCode,
            record.ConnectionProperties,
            record.Ticket,
            timeProvider.GetUtcNow());
    }

    /// <summary>Lists sessions page by page, following the continuation token.</summary>
    public async IAsyncEnumerable<SessionSummary> ListAsync(
        IReadOnlyDictionary<string, string>? labels, string? status, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? nextToken = null;
        while (true)
        {
            SessionPage page = await backend.ListSessionsAsync(new SessionListing(labels, status, pageSize, nextToken), cancellationToken).ConfigureAwait(false);
            foreach (SessionListItem item in page.Items)
            {
                yield return new SessionSummary(item.SessionId, item.Status);
            }

            if (string.IsNullOrEmpty(page.NextToken))
            {
                yield break;
            }

            if (page.NextToken == nextToken)
            {
                throw new AgentBayProtocolException(
                    $"The service answered the session listing page '{nextToken}' with the same continuation token again; stopping instead of looping forever.");
            }

            nextToken = page.NextToken;
        }
    }

    /// <summary>Requests the deletion, then polls the status until it is <c>FINISH</c>/<c>DELETED</c> or the session is gone.</summary>
    public async Task DeleteAndWaitAsync(string sessionId, CancellationToken cancellationToken)
    {
        await backend.DeleteSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);

        using CancellationTokenSource? deadline = deleteTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new CancellationTokenSource(deleteTimeout, timeProvider);
        using CancellationTokenSource? linked = deadline is null
            ? null
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        CancellationToken token = linked?.Token ?? cancellationToken;

        string? lastStatus = null;
        try
        {
            while (true)
            {
                try
                {
                    lastStatus = await backend.GetSessionStatusAsync(sessionId, token).ConfigureAwait(false);
                }
                catch (SessionNotFoundException)
                {
                    return;
                }

                if (IsDeleted(lastStatus))
                {
                    return;
                }

                await Task.Delay(deletePollInterval, timeProvider, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline is { IsCancellationRequested: true })
        {
            throw new AgentBayTimeoutException(
                $"Session {sessionId} was still {lastStatus ?? "not reported"} {deleteTimeout.TotalSeconds:0.###} s after its deletion was requested (AgentBayOptions.DeleteTimeout). The deletion is under way on the service; raise DeleteTimeout to wait longer.",
                deleteTimeout,
                ex);
        }
    }

    /// <summary>An absolute URL the service gave, or <see langword="null"/> for none or garbage.</summary>
    internal static Uri? ToUri(string? value) =>
        !string.IsNullOrEmpty(value) && Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) ? uri : null;

    private static bool IsDeleted(string? status) =>
        string.Equals(status, "FINISH", StringComparison.OrdinalIgnoreCase)
        || string.Equals(status, "DELETED", StringComparison.OrdinalIgnoreCase);
}
