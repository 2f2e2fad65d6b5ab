namespace AgentBay.Lite;

/// <summary>
/// Link URLs carry their access token in the path (<c>/request_ai/{token}/path/</c>, <c>/websocket_ai/{token}</c>),
/// so they are secrets: anything the SDK prints shows them through here.
/// </summary>
internal static class LinkRedaction
{
    private const string Hidden = "***";

    /// <summary>
    /// The link with its token replaced by <c>***</c>, e.g. <c>https://gw:8008/request_ai/***/path/</c>. A URL of
    /// another shape keeps only its scheme, host and port, as the SDK cannot tell where its secret is.
    /// </summary>
    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return Hidden;
        }

        string origin = url.GetLeftPart(UriPartial.Authority);
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            origin = $"{url.Scheme}://{url.Authority}";
        }

        string[] segments = url.AbsolutePath.Split('/');
        int marker = Array.FindIndex(segments, static s => s is "request_ai" or "websocket_ai");
        if (marker < 0 || marker + 1 >= segments.Length)
        {
            return $"{origin}/{Hidden}";
        }

        segments[marker + 1] = Hidden;
        string query = url.Query.Length > 0 ? "?" + Hidden : string.Empty;
        return origin + string.Join('/', segments) + query;
    }
}
