namespace AgentBay.Lite.IntegrationTests;

/// <summary>
/// What differs between the two services for the suites that run against both faces of the emulator: the service,
/// its image names, and the code a gone session reads back with.
/// </summary>
/// <param name="Service">The service the client is configured for.</param>
/// <param name="LinuxImage">An image without a browser.</param>
/// <param name="BrowserImage">An image whose sessions serve CDP links.</param>
/// <param name="GoneCode">The code GetSession answers for a deleted session.</param>
/// <param name="CdpOperation">The emulator's operation (counter) name for a CDP link request.</param>
public sealed record TestService(AgentBayService Service, string LinuxImage, string BrowserImage, string GoneCode, string CdpOperation)
{
    /// <summary>AgentBay, over the emulator's RPC face.</summary>
    public static readonly TestService AgentBay = new(AgentBayService.AgentBay, "linux_latest", "browser_latest", "InvalidMcpSession.NotFound", "GetLink");

    /// <summary>AGB, over the emulator's REST face.</summary>
    public static readonly TestService Agb = new(AgentBayService.Agb, "agb-code-space-1", "agb-browser-use-1", "InvalidSession.NotFound", "GetCdpLink");

    /// <inheritdoc />
    public override string ToString() => Service.ToString();
}
