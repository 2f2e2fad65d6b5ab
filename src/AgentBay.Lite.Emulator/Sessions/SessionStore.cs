using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AgentBay.Lite.Emulator.Sessions;

/// <summary>What a link token names: its session, the protocol (<c>https</c>, <c>wss</c> or <c>cdp</c>) and the port (null for CDP).</summary>
internal sealed record LinkRecord(string SessionId, string Protocol, int? Port);

/// <summary>Thread-safe state: live sessions, tombstones of deleted ones, and link tokens.</summary>
internal sealed class SessionStore
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const int MaxTombstones = 100_000;

    private readonly ConcurrentDictionary<string, EmulatedSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _finishedOrder = new();
    private readonly ConcurrentDictionary<string, LinkRecord> _links = new(StringComparer.Ordinal);
    private readonly int _maxSessions;
    private readonly int _maxLinksPerSession;
    private long _sequence;
    private int _liveCount;

    public SessionStore(int maxSessions, int maxLinksPerSession)
    {
        _maxSessions = maxSessions;
        _maxLinksPerSession = maxLinksPerSession;
    }

    public int LiveCount => Volatile.Read(ref _liveCount);

    public ICollection<EmulatedSession> Live => _sessions.Values;

    /// <summary>Creates a session, or returns null when the quota is reached.</summary>
    public EmulatedSession? Create(string imageId, IReadOnlyDictionary<string, string> labels)
    {
        // Reserve a slot first so concurrent creates cannot overshoot the quota.
        if (Interlocked.Increment(ref _liveCount) > _maxSessions)
        {
            Interlocked.Decrement(ref _liveCount);
            return null;
        }

        while (true)
        {
            var session = new EmulatedSession
            {
                Id = "session-" + RandomId(17),
                Sequence = Interlocked.Increment(ref _sequence),
                ImageId = imageId,
                ResourceId = "p-" + RandomId(12),
                AppInstanceId = "ai-" + RandomId(12),
                CreatedAt = DateTimeOffset.UtcNow,
                AccessToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                Labels = labels,
            };
            if (!_finished.ContainsKey(session.Id) && _sessions.TryAdd(session.Id, session))
            {
                return session;
            }
        }
    }

    public EmulatedSession? Get(string? id) => id is not null && _sessions.TryGetValue(id, out var s) ? s : null;

    public bool IsFinished(string id) => _finished.ContainsKey(id);

    /// <summary>Removes a live session, leaving a tombstone so GetSessionDetail reports <c>FINISH</c>.</summary>
    public EmulatedSession? Delete(string id)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return null;
        }

        Interlocked.Decrement(ref _liveCount);

        _finished[id] = DateTimeOffset.UtcNow;
        _finishedOrder.Enqueue(id);
        while (_finishedOrder.Count > MaxTombstones && _finishedOrder.TryDequeue(out var old))
        {
            _finished.TryRemove(old, out _);
        }

        while (session.Tokens.TryDequeue(out var token))
        {
            _links.TryRemove(token, out _);
        }

        return session;
    }

    /// <summary>Issues a fresh 160-bit token bound to the session.</summary>
    public string IssueToken(EmulatedSession session, string protocol, int? port)
    {
        Span<byte> bytes = stackalloc byte[20];
        RandomNumberGenerator.Fill(bytes);
        var token = Convert.ToHexStringLower(bytes);
        _links[token] = new LinkRecord(session.Id, protocol, port);
        session.Tokens.Enqueue(token);
        while (session.Tokens.Count > _maxLinksPerSession && session.Tokens.TryDequeue(out var old))
        {
            _links.TryRemove(old, out _);
        }

        // A delete racing with this issue must not leave a token naming a gone session.
        if (!_sessions.ContainsKey(session.Id))
        {
            _links.TryRemove(token, out _);
        }

        return token;
    }

    public LinkRecord? ResolveToken(string token) => _links.TryGetValue(token, out var r) ? r : null;

    public void Clear()
    {
        _sessions.Clear();
        _links.Clear();
        Volatile.Write(ref _liveCount, 0);
    }

    private static string RandomId(int length)
    {
        return string.Create(length, 0, static (span, _) => RandomNumberGenerator.GetItems(Alphabet, span));
    }
}
