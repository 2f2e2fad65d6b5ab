namespace AgentBay.Lite;

/// <summary>Which cloud service a client talks to; see <see cref="AgentBayOptions.Service"/>.</summary>
public enum AgentBayService
{
    /// <summary>Alibaba Cloud's AgentBay (POP RPC at <c>wuyingai.*.aliyuncs.com</c>, <c>AGENTBAY_*</c> variables). The default.</summary>
    AgentBay = 0,

    /// <summary>AGB (REST at <c>sdk-api.agb.cloud</c>, <c>AGB_*</c> variables, images such as <c>agb-code-space-1</c>).</summary>
    Agb = 1,
}
