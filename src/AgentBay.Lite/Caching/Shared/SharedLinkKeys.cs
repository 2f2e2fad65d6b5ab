using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentBay.Lite.Caching.Shared;

/// <summary>
/// The shared tier's keys: <c>agentbay-lite:link:v1:{scope}:{session id}:{request}</c>. The scope is a one-way hash of
/// the endpoint and the API key, so instances of one account at one gateway share entries, other accounts never see
/// them, and the key — which the cache server, its logs and its tools all show — holds no key material.
/// </summary>
internal sealed class SharedLinkKeys
{
    private const string Prefix = "agentbay-lite:link:v1:";
    private readonly string _scopePrefix;

    public SharedLinkKeys(Uri endpoint, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        Scope = ScopeOf(endpoint, apiKey);
        _scopePrefix = Prefix + Scope + ":";
    }

    /// <summary>The account-and-endpoint part of every key: 32 hex digits of SHA-256.</summary>
    public string Scope { get; }

    /// <summary>The key of one link.</summary>
    public string For(string sessionId, LinkRequest request) => string.Concat(_scopePrefix, sessionId, ":", RequestPart(request));

    /// <summary>The key of the lease a fetching instance holds on one link while it fetches.</summary>
    public static string LeaseFor(string linkKey) => linkKey + ":lease";

    /// <summary>
    /// Every key a session can have in the shared tier for this client's port policy: the CDP link and an HTTPS and a
    /// WSS link per allowed port. The distributed cache cannot list keys, so deleting a session removes each of them.
    /// </summary>
    public IEnumerable<string> AllFor(string sessionId, LinkPortRange ports)
    {
        yield return For(sessionId, LinkRequest.Cdp);
        for (int port = ports.Min; port <= ports.Max; port++)
        {
            yield return For(sessionId, new LinkRequest.HttpsLink(port));
            yield return For(sessionId, new LinkRequest.WssLink(port));
        }
    }

    private static string RequestPart(LinkRequest request) => request switch
    {
        LinkRequest.HttpsLink https => "https:" + https.Port.ToString(CultureInfo.InvariantCulture),
        LinkRequest.WssLink wss => "wss:" + wss.Port.ToString(CultureInfo.InvariantCulture),
        _ => "cdp",
    };

    private static string ScopeOf(Uri endpoint, string apiKey)
    {
        // Domain-separated, so the digest is useful for nothing but this key; API keys are long random strings, so a
        // plain SHA-256 cannot be reversed by guessing.
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes("agentbay-lite/shared-link-cache/v1\n" + endpoint.AbsoluteUri + "\n" + apiKey));
        return Convert.ToHexString(digest, 0, 16).ToLowerInvariant();
    }
}
