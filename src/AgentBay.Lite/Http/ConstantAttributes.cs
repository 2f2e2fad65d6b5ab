namespace AgentBay.Lite.Http;

/// <summary>
/// A constant query-string value sent with every request of the method (or, on the interface, of every method),
/// e.g. <c>[QueryConstant("Action", "GetLink")]</c>. Interface constants come first, then the method's, then the
/// parameters'.
/// </summary>
/// <param name="name">The query key.</param>
/// <param name="value">The value, sent escaped.</param>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
internal sealed class QueryConstantAttribute(string name, string value) : Attribute
{
    /// <summary>The query key.</summary>
    public string Name { get; } = name;

    /// <summary>The value.</summary>
    public string Value { get; } = value;
}

/// <summary>
/// A constant header sent with every request of the method (or, on the interface, of every method),
/// e.g. <c>[HeaderConstant("x-acs-action", "GetLink")]</c>.
/// </summary>
/// <param name="name">The header name.</param>
/// <param name="value">The header value.</param>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
internal sealed class HeaderConstantAttribute(string name, string value) : Attribute
{
    /// <summary>The header name.</summary>
    public string Name { get; } = name;

    /// <summary>The header value.</summary>
    public string Value { get; } = value;
}
