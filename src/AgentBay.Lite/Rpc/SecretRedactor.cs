using System.Text.RegularExpressions;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// Removes the API key from text the service sent back before it goes into an exception: a gateway or proxy that
/// echoes the request (the form carries <c>Authorization=Bearer akm-…</c>) would otherwise put the key into
/// <see cref="AgentBayException.ServerMessage"/>, <see cref="AgentBayProtocolException.BodyExcerpt"/> and messages
/// that end up in logs. Removed: the key itself, in plain or form-escaped spelling, anything shaped like an AgentBay
/// key (<c>akm-…</c>), and whatever follows <c>Bearer</c>.
/// </summary>
internal sealed partial class SecretRedactor(string apiKey)
{
    private const string Hidden = "***";

    private readonly string _escapedKey = Uri.EscapeDataString(apiKey);

    /// <summary>Returns <paramref name="text"/> without anything resembling the API key.</summary>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        text = text.Replace(apiKey, Hidden, StringComparison.Ordinal).Replace(_escapedKey, Hidden, StringComparison.Ordinal);
        return KeyLike().Replace(text, Hidden);
    }

    [GeneratedRegex(@"akm-[A-Za-z0-9_\-]+|(?<=Bearer(\s|%20|\+)+)[^\s&""'<]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyLike();
}
