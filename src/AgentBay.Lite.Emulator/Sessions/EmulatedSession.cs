using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AgentBay.Lite.Emulator.Sessions.Sandbox;

namespace AgentBay.Lite.Emulator.Sessions;

/// <summary>One live emulated session.</summary>
internal sealed class EmulatedSession : IDisposable
{
    public static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>(StringComparer.Ordinal);

    private readonly CancellationTokenSource _ended = new();
    private SessionWorkspace? _workspace;

    public EmulatedSession() => Ended = _ended.Token;

    public required string Id { get; init; }
    public required long Sequence { get; init; }
    public required string ImageId { get; init; }
    public required string ResourceId { get; init; }
    public required string AppInstanceId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The session's access token (256 random bits, hex): what the session's link_url (<c>/callTool</c>) and ws_url
    /// (code streaming) require in <c>X-Access-Token</c>. Handed out by CreateMcpSession and GetSession.
    /// </summary>
    public required string AccessToken { get; init; }

    /// <summary>Labels; replaced wholesale (never mutated) so readers need no lock.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = EmptyLabels;

    /// <summary>Tokens issued for this session, oldest first (bounded).</summary>
    public ConcurrentQueue<string> Tokens { get; } = new();

    /// <summary>Browser Use images (ids starting with <c>browser</c>, case-insensitively) serve CDP links.</summary>
    public bool SupportsCdp => SessionService.IsBrowserImage(ImageId);

    /// <summary>
    /// The host PID of a process inside the session's namespaces (its sandbox init), for entering its network or
    /// mount namespace; null when the session runs without a sandbox.
    /// </summary>
    public int? NamespacePid { get; internal set; }

    /// <summary>Where the session's tools work (its sandbox and directory); null until it is ready and after the session ends.</summary>
    public SessionWorkspace? Workspace => Volatile.Read(ref _workspace);

    /// <summary>Cancelled when the session is deleted or released, or the emulator stops.</summary>
    public CancellationToken Ended { get; }

    /// <summary>
    /// Ends the session: cancels <see cref="Ended"/> (idempotent). Registrations made on <see cref="Ended"/> afterwards
    /// still run at once, as on any cancelled token.
    /// </summary>
    public void Dispose()
    {
        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        _ended.Dispose();
    }

    /// <summary>True when <paramref name="presented"/> is this session's access token; compared in constant time.</summary>
    public bool IsAccessToken(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 256)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        var n = Encoding.UTF8.GetBytes(presented, given);
        return CryptographicOperations.FixedTimeEquals(given[..n], Encoding.ASCII.GetBytes(AccessToken));
    }

    /// <summary>Attaches the workspace once it is ready.</summary>
    internal void Attach(SessionWorkspace workspace)
    {
        NamespacePid = workspace.Sandbox?.InitPid;
        Volatile.Write(ref _workspace, workspace);
    }

    /// <summary>Detaches the workspace so exactly one caller tears it down (the deleter, or the creator if the delete came first).</summary>
    internal SessionWorkspace? TakeWorkspace() => Interlocked.Exchange(ref _workspace, null);
}
