using System.Buffers;
using System.Globalization;
using System.Text;

namespace AgentBay.Lite.Http;

/// <summary>
/// Builds a generated request's relative URI (route, then query) in one pooled character buffer. Values are escaped
/// exactly like <see cref="Uri.EscapeDataString(string)"/> (RFC 3986 unreserved characters kept, everything else
/// percent-encoded as UTF-8, so a space is <c>%20</c>).
/// </summary>
internal ref struct RelativeUriBuilder
{
    private char[]? _rented;
    private Span<char> _chars;
    private int _length;
    private bool _hasQuery;

    /// <summary>Starts a URI in <paramref name="initialBuffer"/> (typically <c>stackalloc</c>); grows into pooled arrays.</summary>
    /// <param name="initialBuffer">The first buffer.</param>
    /// <param name="routeHasQuery">Whether the literal route already contains a <c>?</c>.</param>
    public RelativeUriBuilder(Span<char> initialBuffer, bool routeHasQuery)
    {
        _rented = null;
        _chars = initialBuffer;
        _length = 0;
        _hasQuery = routeHasQuery;
    }

    /// <summary>Appends text that is already escaped (route literals, escaped constant query pairs).</summary>
    /// <param name="text">The escaped text.</param>
    public void AppendLiteral(string text)
    {
        EnsureCapacity(text.Length);
        text.AsSpan().CopyTo(_chars[_length..]);
        _length += text.Length;
    }

    /// <summary>Appends a value, escaped.</summary>
    /// <param name="value">The value.</param>
    public void AppendEscaped(string value) => AppendEscaped(value.AsSpan());

    /// <summary>Appends a value, escaped.</summary>
    /// <param name="value">The value.</param>
    public void AppendEscaped(scoped ReadOnlySpan<char> value)
    {
        // Fast path: most values need no escaping at all.
        int i = 0;
        while (i < value.Length && UrlEscaping.IsUnreserved(value[i]))
        {
            i++;
        }

        EnsureCapacity(i);
        value[..i].CopyTo(_chars[_length..]);
        _length += i;
        if (i == value.Length)
        {
            return;
        }

        Span<byte> utf8 = stackalloc byte[4];
        while (i < value.Length)
        {
            char c = value[i];
            if (UrlEscaping.IsUnreserved(c))
            {
                EnsureCapacity(1);
                _chars[_length++] = c;
                i++;
                continue;
            }

            int byteCount = UrlEscaping.EncodeRune(value, ref i, utf8);
            EnsureCapacity(byteCount * 3);
            for (int b = 0; b < byteCount; b++)
            {
                _chars[_length++] = '%';
                _chars[_length++] = UrlEscaping.HexUpper(utf8[b] >> 4);
                _chars[_length++] = UrlEscaping.HexUpper(utf8[b] & 0xF);
            }
        }
    }

    /// <summary>Appends a boolean as <c>true</c>/<c>false</c>.</summary>
    /// <param name="value">The value.</param>
    public void AppendBoolean(bool value) => AppendLiteral(value ? "true" : "false");

    /// <summary>Appends a number (or other formattable value) formatted with the invariant culture, escaped.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="value">The value.</param>
    public void AppendFormattable<T>(T value)
        where T : ISpanFormattable
    {
        Span<char> buffer = stackalloc char[64];
        if (value.TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture))
        {
            AppendEscaped(buffer[..written]);
        }
        else
        {
            AppendEscaped(value.ToString(null, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Starts a query parameter: writes <c>?</c> or <c>&amp;</c>, the escaped name and <c>=</c>.</summary>
    /// <param name="escapedName">The query key, already escaped.</param>
    public void StartQueryParameter(string escapedName)
    {
        EnsureCapacity(escapedName.Length + 2);
        _chars[_length++] = _hasQuery ? '&' : '?';
        _hasQuery = true;
        escapedName.AsSpan().CopyTo(_chars[_length..]);
        _length += escapedName.Length;
        _chars[_length++] = '=';
    }

    /// <summary>Creates the relative URI and returns any pooled buffer.</summary>
    /// <returns>The URI.</returns>
    public Uri ToUriAndDispose()
    {
        var uri = new Uri(new string(_chars[.._length]), UriKind.Relative);
        Dispose();
        return uri;
    }

    /// <summary>Returns any pooled buffer.</summary>
    public void Dispose()
    {
        char[]? rented = _rented;
        _rented = null;
        _chars = default;
        _length = 0;
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void EnsureCapacity(int additional)
    {
        if (_length + additional <= _chars.Length)
        {
            return;
        }

        char[] next = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + additional));
        _chars[.._length].CopyTo(next);
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
        }

        _rented = next;
        _chars = next;
    }
}

/// <summary>The escaping rules shared by the URI builder and the form writer.</summary>
internal static class UrlEscaping
{
    /// <summary>RFC 3986 unreserved characters, written as is: <c>A-Z a-z 0-9 - . _ ~</c>.</summary>
    public static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    /// <summary>Whether <paramref name="c"/> is one of the <see cref="Unreserved"/> characters.</summary>
    /// <param name="c">The character.</param>
    /// <returns>Whether it is written as is.</returns>
    public static bool IsUnreserved(char c) => Unreserved.Contains(c);

    /// <summary>An uppercase hex digit.</summary>
    /// <param name="value">0–15.</param>
    /// <returns>The digit.</returns>
    public static char HexUpper(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    /// <summary>Encodes the scalar at <paramref name="index"/> (a lone surrogate becomes U+FFFD) as UTF-8 and advances.</summary>
    /// <param name="value">The text.</param>
    /// <param name="index">The position; advanced past the scalar.</param>
    /// <param name="utf8">At least 4 bytes.</param>
    /// <returns>The number of bytes written.</returns>
    public static int EncodeRune(ReadOnlySpan<char> value, ref int index, Span<byte> utf8)
    {
        if (Rune.DecodeFromUtf16(value[index..], out Rune rune, out int consumed) != OperationStatus.Done)
        {
            rune = Rune.ReplacementChar;
            consumed = 1;
        }

        index += consumed;
        return rune.EncodeToUtf8(utf8);
    }
}
