using System.Buffers;
using System.Globalization;
using System.Text;

namespace AgentBay.Lite.Http;

/// <summary>
/// Writes an <c>application/x-www-form-urlencoded</c> body as UTF-8 into one pooled buffer; generated code calls it
/// once per field of the declared body type. Values are escaped like <see cref="Uri.EscapeDataString(string)"/>
/// (a space is <c>%20</c>, never <c>+</c>); <see langword="null"/> values are omitted.
/// </summary>
internal ref struct FormUrlEncodedWriter
{
    /// <summary>The media type the content carries.</summary>
    public const string MediaType = "application/x-www-form-urlencoded";

    private byte[] _buffer;
    private int _length;

    /// <summary>Starts a body in a pooled buffer.</summary>
    /// <param name="initialCapacity">The first buffer size in bytes.</param>
    public FormUrlEncodedWriter(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 0;
    }

    /// <summary>Writes a string field; omitted when <see langword="null"/>.</summary>
    /// <param name="escapedName">The field name, already escaped (ASCII).</param>
    /// <param name="value">The value.</param>
    public void AddString(ReadOnlySpan<byte> escapedName, string? value)
    {
        if (value is null)
        {
            return;
        }

        StartField(escapedName);
        AppendEscaped(value.AsSpan());
    }

    /// <summary>Writes a boolean field as <c>true</c>/<c>false</c>; omitted when <see langword="null"/>.</summary>
    /// <param name="escapedName">The field name, already escaped (ASCII).</param>
    /// <param name="value">The value.</param>
    public void AddBoolean(ReadOnlySpan<byte> escapedName, bool? value)
    {
        if (value is not { } v)
        {
            return;
        }

        StartField(escapedName);
        AppendAscii(v ? "true"u8 : "false"u8);
    }

    /// <summary>Writes a number (or other formattable value) with the invariant culture.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="escapedName">The field name, already escaped (ASCII).</param>
    /// <param name="value">The value.</param>
    public void AddFormattable<T>(ReadOnlySpan<byte> escapedName, T value)
        where T : struct, ISpanFormattable
    {
        StartField(escapedName);
        Span<char> chars = stackalloc char[64];
        if (value.TryFormat(chars, out int written, default, CultureInfo.InvariantCulture))
        {
            AppendEscaped(chars[..written]);
        }
        else
        {
            AppendEscaped(value.ToString(null, CultureInfo.InvariantCulture).AsSpan());
        }
    }

    /// <summary>Writes a number (or other formattable value) with the invariant culture; omitted when <see langword="null"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="escapedName">The field name, already escaped (ASCII).</param>
    /// <param name="value">The value.</param>
    public void AddFormattable<T>(ReadOnlySpan<byte> escapedName, T? value)
        where T : struct, ISpanFormattable
    {
        if (value is { } v)
        {
            AddFormattable(escapedName, v);
        }
    }

    /// <summary>Writes a field whose value is UTF-8 text (e.g. a serialized JSON document), escaped.</summary>
    /// <param name="escapedName">The field name, already escaped (ASCII).</param>
    /// <param name="utf8Value">The value as UTF-8.</param>
    public void AddUtf8(scoped ReadOnlySpan<byte> escapedName, scoped ReadOnlySpan<byte> utf8Value)
    {
        StartField(escapedName);
        EnsureCapacity(utf8Value.Length);
        foreach (byte b in utf8Value)
        {
            if (b < 0x80 && UrlEscaping.IsUnreserved((char)b))
            {
                EnsureCapacity(1);
                _buffer[_length++] = b;
            }
            else
            {
                EnsureCapacity(3);
                _buffer[_length++] = (byte)'%';
                _buffer[_length++] = (byte)UrlEscaping.HexUpper(b >> 4);
                _buffer[_length++] = (byte)UrlEscaping.HexUpper(b & 0xF);
            }
        }
    }

    /// <summary>
    /// Copies the body into its content (with the form media type) and returns the pooled buffer. The content is a
    /// <see cref="FormContent"/>, which is never written to an address the request was redirected to.
    /// </summary>
    /// <returns>The request content.</returns>
    public HttpContent ToContentAndDispose()
    {
        var content = new FormContent(_buffer.AsSpan(0, _length).ToArray());

        // A constant, valid value: stored as text rather than parsed into a MediaTypeHeaderValue for every request.
        content.Headers.TryAddWithoutValidation("Content-Type", MediaType);
        Dispose();
        return content;
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void StartField(scoped ReadOnlySpan<byte> escapedName)
    {
        EnsureCapacity(escapedName.Length + 2);
        if (_length > 0)
        {
            _buffer[_length++] = (byte)'&';
        }

        escapedName.CopyTo(_buffer.AsSpan(_length));
        _length += escapedName.Length;
        _buffer[_length++] = (byte)'=';
    }

    private void AppendAscii(scoped ReadOnlySpan<byte> ascii)
    {
        EnsureCapacity(ascii.Length);
        ascii.CopyTo(_buffer.AsSpan(_length));
        _length += ascii.Length;
    }

    private void AppendEscaped(scoped ReadOnlySpan<char> value)
    {
        EnsureCapacity(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        int i = 0;
        while (i < value.Length)
        {
            // Most of a value is unreserved ASCII (ids, keys, numbers): copy each such run in one narrowing pass.
            int run = value[i..].IndexOfAnyExcept(UrlEscaping.Unreserved);
            if (run < 0)
            {
                run = value.Length - i;
            }

            if (run > 0)
            {
                EnsureCapacity(run);
                Ascii.FromUtf16(value.Slice(i, run), _buffer.AsSpan(_length), out _);
                _length += run;
                i += run;
                continue;
            }

            int byteCount = UrlEscaping.EncodeRune(value, ref i, utf8);
            EnsureCapacity(byteCount * 3);
            for (int b = 0; b < byteCount; b++)
            {
                _buffer[_length++] = (byte)'%';
                _buffer[_length++] = (byte)UrlEscaping.HexUpper(utf8[b] >> 4);
                _buffer[_length++] = (byte)UrlEscaping.HexUpper(utf8[b] & 0xF);
            }
        }
    }

    private void EnsureCapacity(int additional)
    {
        if (_length + additional <= _buffer.Length)
        {
            return;
        }

        byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + additional));
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }
}
