using System.Globalization;
using System.Text.Json;
using AgentBay.Lite.Emulator.Sessions.Sandbox;
using AgentBay.Lite.Emulator.Tools;

namespace AgentBay.Lite.Emulator.Sessions;

/// <summary>
/// The emulator's domain: session lifecycle, labels, links and tool calls, with the rules the cloud applies
/// (link port range, CDP only on browser images, the live-session quota). Protocol-neutral: each wire face
/// (AgentBay RPC, AGB REST) parses its requests, calls this service and maps <see cref="SessionError"/> to its own codes.
/// </summary>
internal sealed class SessionService
{
    /// <summary>The lowest port a link may name.</summary>
    public const int FirstLinkPort = 30100;

    /// <summary>The highest port a link may name.</summary>
    public const int LastLinkPort = 30199;

    /// <summary>The image a session gets when the client names none.</summary>
    public const string DefaultImageId = "linux_latest";

    /// <summary>The statuses a list filter may name; live sessions are always <c>RUNNING</c>.</summary>
    public static readonly string[] Statuses = ["RUNNING", "PAUSING", "PAUSED", "RESUMING", "DELETING", "DELETED"];

    private readonly SessionStore _store;
    private readonly ProcessLauncher? _sandboxLauncher;

    /// <param name="store">Sessions, tombstones and link tokens.</param>
    /// <param name="tools">Runs the tools of a session.</param>
    /// <param name="maxSessions">The live-session quota.</param>
    /// <param name="sandboxLauncher">Starts session sandboxes; null runs sessions without one (in their directory only).</param>
    public SessionService(SessionStore store, ToolRunner tools, int maxSessions, ProcessLauncher? sandboxLauncher)
    {
        _store = store;
        Tools = tools;
        MaxSessions = maxSessions;
        _sandboxLauncher = sandboxLauncher;
    }

    /// <summary>True when every session runs in its own sandbox.</summary>
    public bool Sandboxed => _sandboxLauncher is not null;

    public ToolRunner Tools { get; }

    public int MaxSessions { get; }

    public int LiveCount => _store.LiveCount;

    /// <summary>Browser Use images serve CDP links: AgentBay's ids starting with <c>browser</c> and AGB's starting with <c>agb-browser</c>, case-insensitively.</summary>
    public static bool IsBrowserImage(string imageId) =>
        imageId.StartsWith("browser", StringComparison.OrdinalIgnoreCase) || imageId.StartsWith("agb-browser", StringComparison.OrdinalIgnoreCase);

    /// <summary>Creates a session and its workspace (its directory and, when available, its sandbox).</summary>
    public async Task<Outcome<EmulatedSession>> CreateAsync(string? imageId, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var session = _store.Create(imageId ?? DefaultImageId, labels);
        if (session is null)
        {
            return new SessionError(SessionErrorKind.QuotaExceeded, "Session", $"The emulator already holds its maximum of {MaxSessions.ToString(CultureInfo.InvariantCulture)} live sessions; delete some first.");
        }

        SessionWorkspace workspace;
        try
        {
            workspace = await SessionWorkspace.CreateAsync(_sandboxLauncher, session.Id, Tools.SessionDirectory(session.Id), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SandboxUnavailableException or IOException or UnauthorizedAccessException or OperationCanceledException or ObjectDisposedException)
        {
            _store.Delete(session.Id);
            session.Dispose();
            return new SessionError(SessionErrorKind.Failed, "Sandbox", "The emulator could not prepare the session: " + ex.Message);
        }

        session.Attach(workspace);
        if (session.Ended.IsCancellationRequested && session.TakeWorkspace() is { } orphan)
        {
            // Deleted while its sandbox was starting.
            await orphan.DisposeAsync().ConfigureAwait(false);
        }

        return session;
    }

    /// <summary>The live session with this id, or null.</summary>
    public EmulatedSession? Find(string? id) => _store.Get(id);

    /// <summary>True when a session with this id existed and was deleted (its tombstone is kept).</summary>
    public bool WasDeleted(string id) => _store.IsFinished(id);

    /// <summary>Live sessions in creation order that have every label of <paramref name="filter"/> and the given status.</summary>
    public Outcome<List<EmulatedSession>> List(IReadOnlyDictionary<string, string> filter, string? status)
    {
        if (status is not null && Array.IndexOf(Statuses, status) < 0)
        {
            return SessionError.Invalid("Status", $"Status must be one of {string.Join(", ", Statuses)} (got \"{Text.Clip(status)}\").");
        }

        var matches = new List<EmulatedSession>();
        if (status is null or "RUNNING")
        {
            foreach (var s in _store.Live)
            {
                if (SessionLabels.HasAll(s.Labels, filter))
                {
                    matches.Add(s);
                }
            }
        }

        matches.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return matches;
    }

    /// <summary>
    /// One page of <see cref="List"/>: at most <paramref name="maxResultsText"/> (1–100, default 10) sessions after the
    /// one <paramref name="nextToken"/> names. The page token is the sequence number of the last session listed, so
    /// deletes never shift pages.
    /// </summary>
    public Outcome<SessionListPage> ListPage(IReadOnlyDictionary<string, string> filter, string? status, string? maxResultsText, string? nextToken)
    {
        var maxResults = 10;
        if (maxResultsText is not null
            && (!int.TryParse(maxResultsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxResults) || maxResults is < 1 or > 100))
        {
            return SessionError.Invalid("MaxResults", $"MaxResults must be an integer between 1 and 100 (got \"{Text.Clip(maxResultsText)}\").");
        }

        long after = 0;
        if (nextToken is not null
            && (!nextToken.StartsWith("nt-", StringComparison.Ordinal)
                || !long.TryParse(nextToken.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return SessionError.Invalid("NextToken", "NextToken is not a token this server issued; pass back the NextToken of the previous page.");
        }

        if (!List(filter, status).Succeeded(out var matches, out var error))
        {
            return error;
        }

        var start = 0;
        while (start < matches.Count && matches[start].Sequence <= after)
        {
            start++;
        }

        var end = Math.Min(matches.Count, start + maxResults);
        var next = end < matches.Count ? "nt-" + matches[end - 1].Sequence.ToString(CultureInfo.InvariantCulture) : "";
        return new SessionListPage(matches.GetRange(start, end - start), matches.Count, maxResults, next);
    }

    /// <summary>Checks an idle-release timeout in seconds (SDKs since v0.16). Checked, not enforced: emulated sessions are never released for idleness (see the README).</summary>
    public static SessionError? CheckIdleTimeout(string? seconds) =>
        seconds is null || (int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
            ? null
            : SessionError.Invalid("Timeout", $"Timeout must be a whole number of seconds, at least 1 (got \"{Text.Clip(seconds)}\").");

    /// <summary>
    /// Deletes (or releases) a session: its links stop resolving, <see cref="EmulatedSession.Ended"/> fires, every
    /// process in its sandbox is killed and its files go.
    /// </summary>
    /// <returns>False when no live session has this id.</returns>
    public async Task<bool> DeleteAsync(string id)
    {
        var session = _store.Delete(id);
        if (session is null)
        {
            return false;
        }

        await EndAsync(session).ConfigureAwait(false);
        return true;
    }

    public Outcome<EmulatedSession> SetLabels(string id, IReadOnlyDictionary<string, string> labels)
    {
        var session = _store.Get(id);
        if (session is null)
        {
            return SessionError.NotFound;
        }

        session.Labels = labels;
        return session;
    }

    /// <summary>
    /// Issues a link. No protocol (or <c>wss</c> without a port) is the CDP link, only on browser images;
    /// <c>https</c> needs a port; a port alone means <c>wss</c>; ports must lie in 30100–30199.
    /// </summary>
    public Outcome<LinkGrant> IssueLink(string sessionId, string? protocol, int? port)
    {
        if (port is < FirstLinkPort or > LastLinkPort)
        {
            return SessionError.Invalid("Port", $"Port must be in {FirstLinkPort}-{LastLinkPort} (got {port.Value.ToString(CultureInfo.InvariantCulture)}).");
        }

        string kind;
        if (protocol is null || protocol.Equals("wss", StringComparison.OrdinalIgnoreCase))
        {
            kind = port is null ? "cdp" : "wss";
        }
        else if (protocol.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            if (port is null)
            {
                return SessionError.Invalid("Port", "port is not valid");
            }

            kind = "https";
        }
        else if (protocol.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            return SessionError.Invalid("ProtocolType", "http not supported");
        }
        else
        {
            return SessionError.Invalid("ProtocolType", $"protocol type \"{Text.Clip(protocol)}\" not supported: use https or wss.");
        }

        var session = _store.Get(sessionId);
        if (session is null)
        {
            return SessionError.NotFound;
        }

        if (kind == "cdp" && !session.SupportsCdp)
        {
            return CdpUnsupported("no port specified, cdp default, but only BrowserUse image support cdp");
        }

        return new LinkGrant(_store.IssueToken(session, kind, port), kind, port);
    }

    /// <summary>Issues the CDP link of a browser session.</summary>
    public Outcome<LinkGrant> IssueCdpLink(string sessionId)
    {
        var session = _store.Get(sessionId);
        if (session is null)
        {
            return SessionError.NotFound;
        }

        if (!session.SupportsCdp)
        {
            return CdpUnsupported("only BrowserUse image support cdp");
        }

        return new LinkGrant(_store.IssueToken(session, "cdp", null), "cdp", null);
    }

    /// <summary>What a link token leads to, or null when no live session has a link with this token.</summary>
    public LinkTarget? ResolveLink(string token)
    {
        if (_store.ResolveToken(token) is not { } record || _store.Get(record.SessionId) is not { } session)
        {
            return null;
        }

        return new LinkTarget(session, record.Protocol, record.Port);
    }

    /// <summary>
    /// The live session <paramref name="sessionId"/> names when <paramref name="accessToken"/> is its access token (the
    /// check of the session's link_url and ws_url routes). An unknown session is NotFound whatever the token.
    /// </summary>
    public Outcome<EmulatedSession> Authorize(string sessionId, string? accessToken)
    {
        if (_store.Get(sessionId) is not { } session)
        {
            return SessionError.NotFound;
        }

        return session.IsAccessToken(accessToken) ? session : SessionError.WrongAccessToken;
    }

    /// <summary>Runs a tool in a session.</summary>
    public async Task<Outcome<ToolResult>> CallToolAsync(string sessionId, string tool, JsonElement args, CancellationToken cancellationToken)
    {
        if (_store.Get(sessionId)?.Workspace is not { } workspace)
        {
            return SessionError.NotFound;
        }

        return await Tools.CallAsync(workspace, tool, args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every live session (emulator shutdown): kills their sandboxes and removes their files.</summary>
    public async Task EndAllAsync()
    {
        var ending = new List<Task>();
        foreach (var session in _store.Live)
        {
            ending.Add(EndAsync(session));
        }

        _store.Clear();
        await Task.WhenAll(ending).ConfigureAwait(false);
    }

    private static async Task EndAsync(EmulatedSession session)
    {
        session.Dispose();
        if (session.TakeWorkspace() is { } workspace)
        {
            await workspace.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SessionError CdpUnsupported(string message) => new(SessionErrorKind.Unsupported, "CdpUnsupportedImage", message);
}

/// <summary>One page of a session listing.</summary>
/// <param name="Items">The sessions on the page.</param>
/// <param name="Total">How many sessions match in all.</param>
/// <param name="MaxResults">The page size used.</param>
/// <param name="NextToken">The next page's token; empty on the last page.</param>
internal sealed record SessionListPage(List<EmulatedSession> Items, int Total, int MaxResults, string NextToken);
