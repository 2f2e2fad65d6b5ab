using System.Text;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// Removes the API key from text the service sent back before it goes into an exception: a gateway or proxy that
/// echoes the request (the form carries <c>Authorization=Bearer akm-…</c>) would otherwise put the key into
/// <see cref="AgentBayException.ServerMessage"/>, <see cref="AgentBayProtocolException.BodyExcerpt"/> and messages
/// that end up in logs. Removed: the key itself, in plain or form-escaped spelling, anything shaped like an AgentBay
/// key (<c>akm-</c> and the letters, digits, <c>_</c> and <c>-</c> after it), and the credential after <c>Bearer</c>
/// (separated by spaces, <c>%20</c> or <c>+</c>); both shapes in any letter case.
/// </summary>
/// <remarks>
/// A hand-written scan rather than a regular expression: the expression brought the regex engine into every NativeAOT
/// app on the SDK (160 KB of a console app's binary) for text that is read only when a call fails.
/// </remarks>
internal sealed class SecretRedactor(string apiKey)
{
    private const string Hidden = "***";
    private const string KeyPrefix = "akm-";
    private const string BearerWord = "Bearer";

    private readonly string _escapedKey = Uri.EscapeDataString(apiKey);

    /// <summary>Returns <paramref name="text"/> without anything resembling the API key.</summary>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        text = text.Replace(apiKey, Hidden, StringComparison.Ordinal).Replace(_escapedKey, Hidden, StringComparison.Ordinal);
        return HideKeyShapes(text);
    }

    private static string HideKeyShapes(string text)
    {
        if (!text.Contains(KeyPrefix, StringComparison.OrdinalIgnoreCase) && !text.Contains(BearerWord, StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        var redacted = new StringBuilder(text.Length);
        int at = 0;
        while (at < text.Length)
        {
            (int secretStart, int secretEnd) = SecretAt(text, at);
            if (secretEnd > secretStart)
            {
                redacted.Append(text, at, secretStart - at).Append(Hidden);
                at = secretEnd;
            }
            else
            {
                redacted.Append(text[at]);
                at++;
            }
        }

        return redacted.ToString();
    }

    /// <summary>The secret that starts at <paramref name="at"/> (or after the <c>Bearer</c> there); an empty range when there is none.</summary>
    private static (int Start, int End) SecretAt(string text, int at)
    {
        ReadOnlySpan<char> rest = text.AsSpan(at);
        if (rest.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase))
        {
            int end = SkipWhile(text, at + KeyPrefix.Length, IsKeyCharacter);
            return end > at + KeyPrefix.Length ? (at, end) : (at, at);
        }

        if (rest.StartsWith(BearerWord, StringComparison.OrdinalIgnoreCase))
        {
            int credential = SkipSeparators(text, at + BearerWord.Length);
            if (credential > at + BearerWord.Length)
            {
                return (credential, SkipWhile(text, credential, IsCredentialCharacter));
            }
        }

        return (at, at);
    }

    private static int SkipSeparators(string text, int at)
    {
        while (at < text.Length)
        {
            if (char.IsWhiteSpace(text[at]) || text[at] == '+')
            {
                at++;
            }
            else if (text.AsSpan(at).StartsWith("%20", StringComparison.Ordinal))
            {
                at += 3;
            }
            else
            {
                break;
            }
        }

        return at;
    }

    private static int SkipWhile(string text, int at, Func<char, bool> belongs)
    {
        while (at < text.Length && belongs(text[at]))
        {
            at++;
        }

        return at;
    }

    private static bool IsKeyCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private static bool IsCredentialCharacter(char c) => !char.IsWhiteSpace(c) && c is not ('&' or '"' or '\'' or '<');
}
