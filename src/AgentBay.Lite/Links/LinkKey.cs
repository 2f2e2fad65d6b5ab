namespace AgentBay.Lite;

/// <summary>One link of one session: the link cache's key and a batch's item. Compared by value.</summary>
internal readonly record struct LinkKey(string SessionId, LinkRequest Request);
