using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>The live view's HTML, CSS and JavaScript, embedded in the emulator assembly (no build step, no CDN).</summary>
internal static class LiveViewPages
{
    /// <summary>
    /// The page's own rules: everything from this origin only (the WebSocket too), frames as <c>data:</c> images, no
    /// inline script or style, never inside a frame, no form posts, no base URL games.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; connect-src 'self'; script-src 'self'; style-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    private static readonly string ViewTemplate = Load("view.html");
    private static readonly string NoticeTemplate = Load("notice.html");
    private static readonly byte[] Script = Encoding.UTF8.GetBytes(Load("app.js"));
    private static readonly byte[] Style = Encoding.UTF8.GetBytes(Load("app.css"));

    /// <summary>The live view of one session.</summary>
    public static Task WriteViewAsync(HttpResponse response, string sessionId, bool hasBrowser, DateTimeOffset expiresAt) =>
        WriteAsync(response, StatusCodes.Status200OK, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(ViewTemplate
            .Replace("{{SESSION}}", WebUtility.HtmlEncode(sessionId), StringComparison.Ordinal)
            .Replace("{{BROWSER}}", hasBrowser ? "true" : "false", StringComparison.Ordinal)
            .Replace("{{EXPIRES}}", expiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture), StringComparison.Ordinal)));

    /// <summary>The page for a token that was issued but is past its 30 minutes (410).</summary>
    public static Task WriteExpiredAsync(HttpResponse response) => WriteNoticeAsync(response, StatusCodes.Status410Gone,
        "This live view link has expired",
        "Resource URLs are valid for 30 minutes. Ask for a fresh one: call the SDK's session info again (GetMcpResource), and open the new URL.");

    /// <summary>The page for a token no live session has (404).</summary>
    public static Task WriteUnknownAsync(HttpResponse response) => WriteNoticeAsync(response, StatusCodes.Status404NotFound,
        "No session at this link",
        "This live view link is unknown to this emulator, or its session has ended. Check that you copied the whole URL, or ask the SDK for the session's info again.");

    /// <summary>Serves <c>/liveview/app.js</c> and <c>/liveview/app.css</c> (not secret: they hold no session data).</summary>
    public static Task WriteAssetAsync(HttpContext context, string name) => name switch
    {
        "app.js" => WriteAsync(context.Response, StatusCodes.Status200OK, "text/javascript; charset=utf-8", Script),
        "app.css" => WriteAsync(context.Response, StatusCodes.Status200OK, "text/css; charset=utf-8", Style),
        _ => WriteUnknownAsync(context.Response),
    };

    private static Task WriteNoticeAsync(HttpResponse response, int status, string title, string text) =>
        WriteAsync(response, status, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(NoticeTemplate
            .Replace("{{TITLE}}", WebUtility.HtmlEncode(title), StringComparison.Ordinal)
            .Replace("{{TEXT}}", WebUtility.HtmlEncode(text), StringComparison.Ordinal)));

    private static async Task WriteAsync(HttpResponse response, int status, string contentType, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        // The token is in the page's URL: no Referer carries it elsewhere, and nothing keeps a copy.
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static string Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("AgentBay.Lite.Emulator.LiveView." + name)
            ?? throw new InvalidOperationException($"The live view asset {name} is missing from the emulator assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
