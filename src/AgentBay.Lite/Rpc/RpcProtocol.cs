using System.Reflection;

namespace AgentBay.Lite.Rpc;

/// <summary>Constants of the AgentBay POP RPC protocol and of how this SDK identifies itself on it.</summary>
internal static class RpcProtocol
{
    /// <summary>The API version every call names.</summary>
    public const string ApiVersion = "2025-05-06";

    /// <summary>The <c>Authorization</c> form field's prefix.</summary>
    public const string BearerPrefix = "Bearer ";

    /// <summary>This SDK's version, from its assembly.</summary>
    public static string SdkVersion { get; } =
        typeof(RpcProtocol).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>The user agent: this SDK, its version, and the runtime.</summary>
    public static string UserAgent { get; } =
        $"AgentBay.Lite/{SdkVersion} (.NET {Environment.Version}; {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})";

    /// <summary>CreateMcpSession's <c>SdkStats</c> field, in the shape the official SDKs send.</summary>
    public static string SdkStats { get; } =
        $$"""{"source":"sdk","sdk_language":"csharp","sdk_version":"{{SdkVersion}}","is_release":true,"framework":"AgentBay.Lite"}""";

    /// <summary>The <c>Authorization</c> form field's value for an API key.</summary>
    public static string Authorization(string apiKey) => BearerPrefix + apiKey;
}
