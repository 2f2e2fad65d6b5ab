using System.Buffers;
using System.Text;

namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>
/// The merged query + form fields of one RPC request. Empty values are dropped (treated as absent), later
/// values win (form over query), and names are matched case-insensitively.
/// </summary>
internal sealed class RequestFields
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly List<KeyValuePair<string, string>> _items = new(12);
    private int _firstBodyItem = int.MaxValue;

    public int Count => _items.Count;

    public string? this[string name]
    {
        get
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return _items[i].Value;
                }
            }

            return null;
        }
    }

    public IEnumerable<KeyValuePair<string, string>> Items => _items;

    /// <summary>A field's value from the form body only (null when it came only in the query, or not at all).</summary>
    public string? FromBody(string name)
    {
        for (var i = _items.Count - 1; i >= 0 && i >= _firstBodyItem; i--)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return _items[i].Value;
            }
        }

        return null;
    }

    /// <summary>Marks where the form body's fields begin: everything added from now on came in the body.</summary>
    public void BeginBody() => _firstBodyItem = _items.Count;

    /// <summary>Parses <c>application/x-www-form-urlencoded</c> bytes. Returns an error text, or null when the input is well formed.</summary>
    public string? Add(ReadOnlySpan<byte> encoded, string where)
    {
        while (!encoded.IsEmpty)
        {
            var amp = encoded.IndexOf((byte)'&');
            var pair = amp < 0 ? encoded : encoded[..amp];
            encoded = amp < 0 ? default : encoded[(amp + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            var eq = pair.IndexOf((byte)'=');
            var rawName = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? default : pair[(eq + 1)..];
            var name = Decode(rawName);
            if (name is null)
            {
                return $"The {where} is not valid application/x-www-form-urlencoded data: a field name has a bad percent-escape or is not UTF-8.";
            }

            var value = Decode(rawValue);
            if (value is null)
            {
                return $"The {where} is not valid application/x-www-form-urlencoded data: the value of field \"{Truncate(name)}\" has a bad percent-escape or is not UTF-8.";
            }

            if (name.Length == 0 || value.Length == 0)
            {
                continue;
            }

            _items.Add(new KeyValuePair<string, string>(name, value));
        }

        return null;
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";

    /// <summary>Decodes one form component (<c>+</c> is a space, <c>%XX</c> a byte, bytes are UTF-8). Null when malformed.</summary>
    private static string? Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return string.Empty;
        }

        try
        {
            if (raw.IndexOfAny((byte)'%', (byte)'+') < 0)
            {
                return StrictUtf8.GetString(raw);
            }

            byte[]? rented = null;
            var buffer = raw.Length <= 512 ? stackalloc byte[raw.Length] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
            try
            {
                var n = 0;
                for (var i = 0; i < raw.Length; i++)
                {
                    var b = raw[i];
                    if (b == (byte)'+')
                    {
                        buffer[n++] = (byte)' ';
                    }
                    else if (b == (byte)'%')
                    {
                        if (i + 2 >= raw.Length)
                        {
                            return null;
                        }

                        var hi = HexValue(raw[i + 1]);
                        var lo = HexValue(raw[i + 2]);
                        if (hi < 0 || lo < 0)
                        {
                            return null;
                        }

                        buffer[n++] = (byte)((hi << 4) | lo);
                        i += 2;
                    }
                    else
                    {
                        buffer[n++] = b;
                    }
                }

                return StrictUtf8.GetString(buffer[..n]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
