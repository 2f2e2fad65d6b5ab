namespace AgentBay.Lite.Http;

/// <summary>Base of the HTTP verb attributes; carries the route template.</summary>
/// <remarks>
/// A route is relative to the client's base address, e.g. <c>/</c> or <c>/mcp/getSession</c>. Placeholders in braces
/// (<c>/users/{id}</c>) are bound to the method parameter of that name (or with that <see cref="AliasAsAttribute"/>)
/// and escaped. The route may carry a literal query (<c>/path?x=1</c>).
/// <para>
/// The URI is the route, then interface <see cref="QueryConstantAttribute"/>s, method ones, then query parameters. It
/// is combined with <c>HttpClient.BaseAddress</c> by the standard <see cref="Uri"/> rules, so a leading <c>/</c>
/// resolves against the host root (a base path such as <c>https://host/v1/</c> is replaced, not kept). A
/// <see langword="null"/> route value throws <see cref="ArgumentNullException"/>. The route must not contain a scheme.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal abstract class HttpMethodAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="route">The route template.</param>
    protected HttpMethodAttribute(string route) => Route = route;

    /// <summary>The route template.</summary>
    public string Route { get; }
}

/// <summary>Sends the method as an HTTP GET.</summary>
/// <param name="route">The route template.</param>
internal sealed class GetAttribute(string route) : HttpMethodAttribute(route);

/// <summary>Sends the method as an HTTP POST.</summary>
/// <param name="route">The route template.</param>
internal sealed class PostAttribute(string route) : HttpMethodAttribute(route);

/// <summary>Sends the method as an HTTP PUT.</summary>
/// <param name="route">The route template.</param>
internal sealed class PutAttribute(string route) : HttpMethodAttribute(route);

/// <summary>Sends the method as an HTTP DELETE.</summary>
/// <param name="route">The route template.</param>
internal sealed class DeleteAttribute(string route) : HttpMethodAttribute(route);
