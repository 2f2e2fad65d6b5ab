namespace AgentBay.Lite.Http;

/// <summary>
/// Sends the parameter as a query-string value (parameters that are neither in the route, nor a body, nor a header
/// are query values too). Values are formatted with the invariant culture and escaped; <see langword="null"/> is omitted.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class QueryAttribute : Attribute;

/// <summary>Sends the parameter as a request header; <see langword="null"/> is omitted.</summary>
/// <param name="name">The header name.</param>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class HeaderAttribute(string name) : Attribute
{
    /// <summary>The header name.</summary>
    public string Name { get; } = name;
}

/// <summary>
/// The name a parameter (route hole, query key) or a form-body property has on the wire, when it differs from the
/// C# name.
/// </summary>
/// <param name="name">The wire name.</param>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class AliasAsAttribute(string name) : Attribute
{
    /// <summary>The wire name.</summary>
    public string Name { get; } = name;
}

/// <summary>How a <see cref="BodyAttribute"/> parameter is written.</summary>
internal enum BodySerialization
{
    /// <summary><c>application/json</c>, through the interface's JSON context.</summary>
    Json,

    /// <summary>
    /// <c>application/x-www-form-urlencoded</c>: one field per public readable instance property of the declared
    /// body type (base-type properties first), named by the property or its <see cref="AliasAsAttribute"/>.
    /// Strings, booleans (<c>true</c>/<c>false</c>), numbers (invariant culture) and enums (member names) are written
    /// as text; <see langword="null"/> properties are omitted; spaces are encoded as <c>%20</c>. A property of any
    /// other type must carry <see cref="FormJsonAttribute"/>.
    /// </summary>
    UrlEncodedForm,
}

/// <summary>Sends the parameter as the request body; a <see langword="null"/> argument sends no content.</summary>
/// <param name="serialization">How the body is written.</param>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class BodyAttribute(BodySerialization serialization = BodySerialization.Json) : Attribute
{
    /// <summary>How the body is written.</summary>
    public BodySerialization Serialization { get; } = serialization;
}

/// <summary>
/// On a property of a form body: the value is written as a JSON string (through the interface's JSON context), the
/// way RPC protocols send maps and lists inside form fields (e.g. <c>Labels={"k":"v"}</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
internal sealed class FormJsonAttribute : Attribute;
