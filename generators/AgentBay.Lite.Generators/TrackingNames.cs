namespace AgentBay.Lite.Generators;

/// <summary>Names of the incremental steps, for tests that check what was cached.</summary>
public static class TrackingNames
{
    /// <summary>The per-interface parse (FAWMN transform).</summary>
    public const string Parse = "HttpApi.Parse";

    /// <summary>The model projected for source output.</summary>
    public const string Model = "HttpApi.Model";

    /// <summary>The diagnostics projected for the diagnostics output.</summary>
    public const string Diagnostics = "HttpApi.Diagnostics";
}
