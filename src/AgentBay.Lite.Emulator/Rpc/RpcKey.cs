using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>How the RPC face recognises its key: <c>Bearer &lt;key&gt;</c>, compared in constant time.</summary>
internal static class RpcKey
{
    /// <summary>The HTTP <c>Authorization</c> header when there is exactly one.</summary>
    public static string? FromHeader(HttpRequest request) => request.Headers.Authorization.Count == 1 ? request.Headers.Authorization[0] : null;

    /// <summary>True when <paramref name="value"/> is <c>Bearer &lt;apiKey&gt;</c> (the prefix in any case, spaces around the key ignored).</summary>
    public static bool Matches(string? value, string apiKey)
    {
        if (value is null || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = System.Text.Encoding.UTF8.GetBytes(value.AsSpan(7).Trim().ToString());
        var expected = System.Text.Encoding.UTF8.GetBytes(apiKey);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, expected);
    }
}
