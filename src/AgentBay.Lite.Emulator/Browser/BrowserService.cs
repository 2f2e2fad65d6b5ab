using AgentBay.Lite.Emulator.Sessions;

namespace AgentBay.Lite.Emulator.Browser;

/// <summary>
/// The domain rules of session browsers, for every wire face and the gateway: only browser images have one; it
/// runs inside the session (its sandbox, when it has one) and lives until the session ends.
/// </summary>
internal sealed class BrowserService : IAsyncDisposable
{
    /// <summary>Where a sandboxed session's browser keeps its profile: the session's private /tmp (the official SDKs' PersistentPath).</summary>
    public const string SandboxProfileDirectory = "/tmp/agentbay_browser";

    private readonly SessionService _sessions;
    private readonly SessionBrowsers _browsers;

    public BrowserService(SessionService sessions, SessionBrowsers browsers)
    {
        _sessions = sessions;
        _browsers = browsers;
    }

    /// <summary>True when a Chromium is installed.</summary>
    public bool IsAvailable => _browsers.Executable is not null;

    /// <summary>
    /// Refuses a CDP link when no browser can be had, so the emulator never hands out a link to nothing. The browser
    /// itself starts later, on the link's first use (or InitBrowser).
    /// </summary>
    /// <param name="sessionId">The session asking.</param>
    /// <returns>The refusal, or null when the link may be issued (the session service then applies its own rules).</returns>
    public SessionError? RefuseCdpLink(string sessionId) =>
        IsAvailable || _sessions.Find(sessionId) is not { SupportsCdp: true }
            ? null
            : new SessionError(SessionErrorKind.Unsupported, "BrowserUnavailable", Chromium.MissingMessage);

    /// <summary>Returns the session's running browser, starting it if needed.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Stops waiting for the start.</param>
    /// <returns>The browser, or NotFound / <c>CdpUnsupportedImage</c> / <c>BrowserUnavailable</c>.</returns>
    public async Task<Outcome<SessionBrowser>> GetOrStartAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = _sessions.Find(sessionId);
        if (session is null)
        {
            return SessionError.NotFound;
        }

        if (!session.SupportsCdp)
        {
            return new SessionError(SessionErrorKind.Unsupported, "CdpUnsupportedImage", "only BrowserUse image support cdp");
        }

        var profile = session.NamespacePid is null
            ? Path.Combine(_sessions.Tools.SessionDirectory(session.Id), ".agentbay_browser")
            : SandboxProfileDirectory;
        try
        {
            return await _browsers.GetOrStartAsync(session.Id, session.NamespacePid, profile, session.Ended, cancellationToken).ConfigureAwait(false);
        }
        catch (BrowserUnavailableException ex)
        {
            return new SessionError(SessionErrorKind.Unsupported, "BrowserUnavailable", ex.Message);
        }
        catch (OperationCanceledException) when (session.Ended.IsCancellationRequested)
        {
            return SessionError.NotFound;
        }
    }

    /// <summary>Stops every browser (emulator shutdown).</summary>
    /// <returns>A task that completes when they are gone.</returns>
    public ValueTask DisposeAsync() => _browsers.DisposeAsync();
}
