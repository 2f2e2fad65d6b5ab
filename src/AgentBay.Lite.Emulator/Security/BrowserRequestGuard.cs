using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Security;

/// <summary>
/// Keeps web pages away from the emulator's API: whoever holds the key can run commands, so a page on another site
/// must not be able to ride on a browser that can reach loopback.
/// </summary>
/// <remarks>
/// Two checks, both before anything else reads the request:
/// <list type="bullet">
/// <item>the Host header must name this emulator — an IP literal, <c>localhost</c>, or the configured public host.
/// A DNS-rebinding page reaches loopback under its own DNS name, so its requests fail here;</item>
/// <item>a request a browser marks as sent by another site (<c>Sec-Fetch-Site: cross-site</c> or <c>same-site</c>, or an
/// <c>Origin</c> other than the emulator's own) is refused. A cross-site form POST needs no CORS preflight, so this is
/// the check that stops it, not CORS.</item>
/// </list>
/// SDKs and command-line tools send neither <c>Origin</c> nor <c>Sec-Fetch-*</c>, so they pass unchanged. Link traffic
/// (<c>/request_ai/</c>, <c>/websocket_ai/</c>) is exempt: its token is the capability, and the web apps behind links are
/// meant to be opened in a browser.
/// </remarks>
internal sealed class BrowserRequestGuard
{
    private readonly HashSet<string> _namedHosts = new(StringComparer.OrdinalIgnoreCase) { "localhost" };

    /// <param name="extraHostNames">Further names this emulator answers to (the public host), with or without a port.</param>
    public BrowserRequestGuard(IEnumerable<string?> extraHostNames)
    {
        foreach (var name in extraHostNames)
        {
            if (!string.IsNullOrEmpty(name) && HostWithoutPort(name) is { Length: > 0 } host)
            {
                _namedHosts.Add(host);
            }
        }
    }

    /// <summary>True for paths the guard leaves alone: link traffic.</summary>
    public static bool IsExempt(PathString path) =>
        path.StartsWithSegments("/request_ai", StringComparison.Ordinal) || path.StartsWithSegments("/websocket_ai", StringComparison.Ordinal);

    /// <summary>The reason to refuse the request, or null to let it through.</summary>
    public string? Check(HttpRequest request)
    {
        if (CheckHost(request) is { } refusal)
        {
            return refusal;
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || fetchSite.Equals("same-site", StringComparison.OrdinalIgnoreCase))
        {
            return "Requests a web browser sends on behalf of another site are refused: the emulator's API runs commands for whoever holds the key.";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsSameOrigin(origin, request))
        {
            return "Requests from another origin are refused: the emulator's API runs commands for whoever holds the key, so only programs (which send no Origin) and the emulator's own pages may call it.";
        }

        return null;
    }

    /// <summary>
    /// The Host check alone, for pages meant to be opened from anywhere (the live view, whose token is the capability
    /// and whose WebSocket checks <c>Origin</c> itself): the reason to refuse, or null.
    /// </summary>
    public string? CheckHost(HttpRequest request)
    {
        var host = request.Host.Value;
        return string.IsNullOrEmpty(host) || !IsServedHost(HostWithoutPort(host))
            ? "The Host header does not name this emulator (use 127.0.0.1, [::1], localhost or its --public-host). " +
              "Requests under other names are refused so that a web page cannot reach the emulator through DNS rebinding."
            : null;
    }

    /// <summary>Answers a refused request with HTTP 403 and an AgentBay envelope.</summary>
    public static async Task RefuseAsync(HttpResponse response, string message)
    {
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.ContentType = "application/json;charset=utf-8";
        using var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("RequestId", Guid.NewGuid().ToString("D").ToUpperInvariant());
            w.WriteBoolean("Success", false);
            w.WriteString("Code", "Forbidden.BrowserRequest");
            w.WriteString("Message", message);
            w.WriteNumber("HttpStatusCode", StatusCodes.Status403Forbidden);
            w.WriteNull("Data");
            w.WriteEndObject();
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private bool IsServedHost(string host) =>
        host.Length > 0 && (IPAddress.TryParse(host.Trim('[', ']'), out _) || _namedHosts.Contains(host));

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static string HostWithoutPort(string hostAndPort)
    {
        if (hostAndPort.StartsWith('['))
        {
            var close = hostAndPort.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? string.Empty : hostAndPort[..(close + 1)];
        }

        var colon = hostAndPort.LastIndexOf(':');
        return colon < 0 || hostAndPort.IndexOf(':', StringComparison.Ordinal) != colon ? hostAndPort : hostAndPort[..colon];
    }
}
