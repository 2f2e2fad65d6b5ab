using System.Collections.Concurrent;

namespace AgentBay.Lite.Code;

/// <summary>
/// The code streams of one client: one <see cref="CodeSocket"/> per session (opened on its first run), closed when the
/// session is deleted through the client or the client is disposed.
/// </summary>
internal sealed class CodeStreamService : IDisposable
{
    private readonly ConcurrentDictionary<string, CodeSocket> _sockets = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>The session's socket for <paramref name="wsUrl"/>, made on first use; a new ws_url or token replaces it.</summary>
    public CodeSocket For(string sessionId, Uri wsUrl, string token)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string key = sessionId + "\n" + wsUrl.AbsoluteUri + "\n" + token;
        return _sockets.GetOrAdd(key, static (_, s) => new CodeSocket(s.sessionId, s.wsUrl, s.token), (sessionId, wsUrl, token));
    }

    /// <summary>Closes the session's sockets (it was deleted).</summary>
    public void Forget(string sessionId)
    {
        foreach (KeyValuePair<string, CodeSocket> entry in _sockets)
        {
            if (entry.Value.SessionId == sessionId && _sockets.TryRemove(entry.Key, out CodeSocket? socket))
            {
                socket.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (string key in _sockets.Keys)
        {
            if (_sockets.TryRemove(key, out CodeSocket? socket))
            {
                socket.Dispose();
            }
        }
    }
}
