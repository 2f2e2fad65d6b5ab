using System.Runtime.InteropServices;

namespace AgentBay.Lite;

/// <summary>One link of one session: the link cache's key and a batch's item. Compared by value.</summary>
/// <remarks>
/// Equality and hashing are written out because they run on every cache lookup. Equality is the ordinal session id,
/// then the request (by reference first). The hash reads the session id's last eight characters instead of hashing
/// the whole string: AgentBay ids end in random characters (<c>session-</c> and 17 alphanumerics), so the tail
/// spreads keys as well as a full hash at a fraction of the cost; shorter ids fall back to the full string hash.
/// </remarks>
internal readonly record struct LinkKey(string SessionId, LinkRequest Request)
{
    /// <inheritdoc />
    public bool Equals(LinkKey other) =>
        string.Equals(SessionId, other.SessionId, StringComparison.Ordinal)
        && (ReferenceEquals(Request, other.Request) || (Request is not null && Request.Equals(other.Request)));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        ReadOnlySpan<char> id = SessionId;
        int request = Request switch
        {
            LinkRequest.HttpsLink https => https.Port,
            LinkRequest.WssLink wss => -wss.Port,
            _ => 0,
        };

        if (id.Length < 8)
        {
            return HashCode.Combine(string.GetHashCode(id), request);
        }

        ReadOnlySpan<ulong> tail = MemoryMarshal.Cast<char, ulong>(id[^8..]);
        ulong mixed = (tail[0] * 0x9E3779B97F4A7C15UL) ^ tail[1] ^ (ulong)id.Length;
        return (int)(mixed ^ (mixed >> 29)) ^ (request * 16777619);
    }
}
