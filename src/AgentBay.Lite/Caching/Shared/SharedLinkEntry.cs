using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;

namespace AgentBay.Lite.Caching.Shared;

/// <summary>
/// What the shared tier stores for one link: the URL (a bearer secret), the service's request id and when the link
/// was fetched. The session and the <see cref="LinkRequest"/> are in the key, so they are not stored again.
/// </summary>
internal sealed class SharedLinkEntry
{
    /// <summary>Read back but not usable (unreadable bytes, a value protected with another key): treated as a miss.</summary>
    public static readonly SharedLinkEntry Unreadable = new();

    [JsonPropertyName("u")]
    public string? Url { get; set; }

    [JsonPropertyName("r")]
    public string? RequestId { get; set; }

    /// <summary>When the link was fetched, in Unix milliseconds; the in-process lifetime is counted from here.</summary>
    [JsonPropertyName("t")]
    public long RetrievedAtUnixMilliseconds { get; set; }

    [JsonIgnore]
    public DateTimeOffset RetrievedAt => DateTimeOffset.FromUnixTimeMilliseconds(RetrievedAtUnixMilliseconds);

    /// <summary>A stored link; <see langword="null"/> URL parts make it <see cref="IsUsable"/> false.</summary>
    public static SharedLinkEntry From(SessionLink link) => new()
    {
        Url = link.Url.OriginalString,
        RequestId = link.RequestId,
        RetrievedAtUnixMilliseconds = link.RetrievedAt.ToUnixTimeMilliseconds(),
    };

    [JsonIgnore]
    public bool IsUsable => Url is not null && Uri.IsWellFormedUriString(Url, UriKind.Absolute);
}

/// <summary>The source-generated JSON of <see cref="SharedLinkEntry"/>: no reflection, NativeAOT-safe.</summary>
[JsonSerializable(typeof(SharedLinkEntry))]
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
internal sealed partial class SharedLinkJsonContext : JsonSerializerContext;

/// <summary>
/// The bytes the shared tier stores for a <see cref="SharedLinkEntry"/>: source-generated JSON, protected with
/// <see cref="IDataProtector"/> when the app registered Data Protection. Bytes that cannot be read (from another
/// version, or protected with a key this instance does not have) come back as <see cref="SharedLinkEntry.Unreadable"/>,
/// a miss, instead of failing the call.
/// </summary>
internal sealed class SharedLinkSerializer(IDataProtector? protector)
{
    /// <summary>The purpose the protector is created for; a protector for any other purpose cannot read these values.</summary>
    internal const string ProtectorPurpose = "AgentBay.Lite.SharedLinkCache.v1";

    /// <summary>Whether stored values are encrypted.</summary>
    public bool Protects => protector is not null;

    public byte[] Serialize(SharedLinkEntry value)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, SharedLinkJsonContext.Default.SharedLinkEntry);
        return protector is null ? json : protector.Protect(json);
    }

    public SharedLinkEntry Deserialize(byte[] stored)
    {
        try
        {
            byte[] json = protector is null ? stored : protector.Unprotect(stored);
            return JsonSerializer.Deserialize(json, SharedLinkJsonContext.Default.SharedLinkEntry) ?? SharedLinkEntry.Unreadable;
        }
        catch (Exception exception) when (exception is JsonException or CryptographicException)
        {
            return SharedLinkEntry.Unreadable;
        }
    }
}
