using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace AgentBay.Lite;

/// <summary>
/// The outcome of one link in a batch: the <see cref="Link"/>, or the <see cref="Error"/> that prevented it. A batch
/// returns one result per requested link, so one refusal never hides the others.
/// </summary>
public sealed class LinkResult
{
    private LinkResult(string sessionId, LinkRequest request, SessionLink? link, Exception? error)
    {
        SessionId = sessionId;
        Request = request;
        Link = link;
        Error = error;
    }

    /// <summary>The session the link was requested for.</summary>
    public string SessionId { get; }

    /// <summary>The link that was requested.</summary>
    public LinkRequest Request { get; }

    /// <summary>The link; <see langword="null"/> when the request failed.</summary>
    public SessionLink? Link { get; }

    /// <summary>
    /// Why the request failed: an <see cref="AgentBayException"/> (or subtype) for a service refusal or an unreadable
    /// answer, an <see cref="OperationCanceledException"/> when the batch was cancelled first; <see langword="null"/>
    /// on success.
    /// </summary>
    public Exception? Error { get; }

    /// <summary>Whether the link was obtained.</summary>
    [MemberNotNullWhen(true, nameof(Link))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Link is not null;

    /// <summary>Returns the link, or rethrows the error that prevented it.</summary>
    /// <returns>The link.</returns>
    public SessionLink GetLinkOrThrow()
    {
        if (!Succeeded)
        {
            ExceptionDispatchInfo.Throw(Error);
        }

        return Link;
    }

    /// <summary>Describes the outcome, e.g. <c>session-…/https:30150: wss://…</c>.</summary>
    public override string ToString() =>
        Succeeded ? $"{SessionId}/{Request}: {Link}" : $"{SessionId}/{Request}: {Error.GetType().Name}: {Error.Message}";

    internal static LinkResult Success(SessionLink link) => new(link.SessionId, link.Request, link, error: null);

    internal static LinkResult Failure(string sessionId, LinkRequest request, Exception error) => new(sessionId, request, link: null, error);
}
