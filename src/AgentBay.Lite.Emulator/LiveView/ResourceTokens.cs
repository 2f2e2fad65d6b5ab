using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentBay.Lite.Emulator.Sessions;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>What a resource token leads to.</summary>
internal enum ResourceTokenState
{
    /// <summary>No session was ever given this token, or its session has ended.</summary>
    Unknown,

    /// <summary>The token was issued but its 30 minutes are over.</summary>
    Expired,

    /// <summary>The token is valid; the session is live.</summary>
    Valid,
}

/// <summary>
/// The bearer tokens in resource URLs (<c>/resource/{token}</c>): 192 random bits each, valid for
/// <see cref="Lifetime"/> from issue, one fresh token per GetMcpResource/CreateMcpSession answer.
/// </summary>
/// <remarks>
/// Expired tokens are remembered for a while so their holder gets "expired" (410) rather than "unknown" (404);
/// tokens of ended sessions count as unknown. Memory stays bounded however often sessions are described (GetSession
/// in a loop): each session keeps its <see cref="MaxPerSession"/> newest tokens (an older one is forgotten, so it
/// gets 404), and the table is pruned of ended sessions and long-expired tokens as it grows.
/// </remarks>
internal sealed class ResourceTokens(SessionService sessions, TimeProvider time)
{
    /// <summary>How long a resource URL stays valid, as AgentBay's Session Info page documents it.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    /// <summary>How long an expired token is still recognised as expired.</summary>
    private static readonly TimeSpan RememberExpired = TimeSpan.FromHours(2);

    /// <summary>How many tokens a session keeps at once.</summary>
    public const int MaxPerSession = 32;

    private const int PruneThreshold = 4096;

    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _bySession = new(StringComparer.Ordinal);
    private int _issuedSincePrune;
    private int _pruneEvery = PruneThreshold;

    public TimeProvider Time => time;

    /// <summary>Issues a fresh token for a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The token (URL-safe) and when it expires.</returns>
    public (string Token, DateTimeOffset ExpiresAt) Issue(string sessionId)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        var expiresAt = time.GetUtcNow() + Lifetime;
        _tokens[token] = new Entry(sessionId, expiresAt);
        var issued = _bySession.GetOrAdd(sessionId, static _ => new ConcurrentQueue<string>());
        issued.Enqueue(token);
        while (issued.Count > MaxPerSession && issued.TryDequeue(out var oldest))
        {
            _tokens.TryRemove(oldest, out _);
        }

        // Pruning walks the table, so it runs after as many issues as the table held last time: O(1) per issue.
        if (Interlocked.Increment(ref _issuedSincePrune) >= Volatile.Read(ref _pruneEvery))
        {
            Interlocked.Exchange(ref _issuedSincePrune, 0);
            Prune();
        }

        return (token, expiresAt);
    }

    /// <summary>Looks a token up.</summary>
    /// <param name="token">The token from the URL.</param>
    /// <returns>Its state and, when valid, the live session it belongs to and when the token expires.</returns>
    public (ResourceTokenState State, EmulatedSession? Session, DateTimeOffset ExpiresAt) Resolve(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_tokens.TryGetValue(token, out var entry))
        {
            return (ResourceTokenState.Unknown, null, default);
        }

        if (sessions.Find(entry.SessionId) is not { } session || session.Ended.IsCancellationRequested)
        {
            _tokens.TryRemove(token, out _);
            return (ResourceTokenState.Unknown, null, default);
        }

        return time.GetUtcNow() >= entry.ExpiresAt
            ? (ResourceTokenState.Expired, null, entry.ExpiresAt)
            : (ResourceTokenState.Valid, session, entry.ExpiresAt);
    }

    private void Prune()
    {
        var forgetBefore = time.GetUtcNow() - RememberExpired;
        foreach (var (token, entry) in _tokens)
        {
            if (entry.ExpiresAt < forgetBefore || sessions.Find(entry.SessionId) is null)
            {
                _tokens.TryRemove(token, out _);
            }
        }

        foreach (var sessionId in _bySession.Keys)
        {
            if (sessions.Find(sessionId) is null)
            {
                _bySession.TryRemove(sessionId, out _);
            }
        }

        Volatile.Write(ref _pruneEvery, Math.Max(PruneThreshold, _tokens.Count));
    }

    private sealed record Entry(string SessionId, DateTimeOffset ExpiresAt);
}
