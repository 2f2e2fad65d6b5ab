namespace AgentBay.Lite.Emulator;

/// <summary>Helpers for putting client input into messages.</summary>
internal static class Text
{
    /// <summary>Shortens client input quoted in a message to 80 characters.</summary>
    public static string Clip(string? s) => s is null ? "" : s.Length <= 80 ? s : s[..80] + "…";
}
