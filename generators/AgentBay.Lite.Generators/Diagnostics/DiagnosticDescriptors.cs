using Microsoft.CodeAnalysis;

namespace AgentBay.Lite.Generators.Diagnostics;

/// <summary>Every error the generator reports. Each shape it cannot emit has its own id; there is no fallback.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "AgentBay.Lite.Generators";

    public static readonly DiagnosticDescriptor MissingCancellationToken = Error(
        "ABLG001",
        "Method needs a CancellationToken parameter",
        "'{0}' has no CancellationToken parameter; add 'CancellationToken cancellationToken' as its last parameter");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "ABLG002",
        "Unsupported return type",
        "'{0}' returns '{1}'; return Task, Task<T> or Task<ApiResponse<T>> (T declared in the JSON context)");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error(
        "ABLG003",
        "Unsupported parameter",
        "Parameter '{0}' of type '{1}' cannot be sent {2}; {3}");

    public static readonly DiagnosticDescriptor TypeNotInJsonContext = Error(
        "ABLG004",
        "Type missing from the JSON context",
        "'{0}' is not declared in the JSON context '{1}'; add [JsonSerializable(typeof({0}))] to it ({2})");

    public static readonly DiagnosticDescriptor InvalidJsonContext = Error(
        "ABLG005",
        "Invalid JSON context",
        "'{0}' named by [HttpApi] on '{1}' does not derive from System.Text.Json.Serialization.JsonSerializerContext; pass a source-generated context type");

    public static readonly DiagnosticDescriptor RoutePlaceholderWithoutParameter = Error(
        "ABLG006",
        "Route placeholder has no parameter",
        "The route '{0}' of '{1}' has the placeholder '{{{2}}}' but no parameter of that name; add a parameter named '{2}' or with [AliasAs(\"{2}\")]");

    public static readonly DiagnosticDescriptor ParameterBoundTwice = Error(
        "ABLG007",
        "Parameter bound twice",
        "Parameter '{0}' is bound twice ({1}); bind each parameter exactly once (route, [Query], [Header], [Body] or the CancellationToken)");

    public static readonly DiagnosticDescriptor MissingVerb = Error(
        "ABLG008",
        "Method needs exactly one HTTP verb attribute",
        "'{0}' has {1} HTTP verb attributes; put exactly one of [Get], [Post], [Put] or [Delete] on it");

    public static readonly DiagnosticDescriptor UnsupportedFormProperty = Error(
        "ABLG009",
        "Unsupported form body property",
        "Property '{0}' of form body '{1}' has type '{2}', which a form field cannot hold; use a string, bool, number, char, Guid or enum, or mark it [FormJson] to send it as a JSON string");

    public static readonly DiagnosticDescriptor UnsupportedInterface = Error(
        "ABLG010",
        "Unsupported [HttpApi] interface",
        "[HttpApi] interface '{0}' {1}; declare a non-generic, non-nested interface whose members are all HTTP methods");

    public static readonly DiagnosticDescriptor UnsupportedMethod = Error(
        "ABLG011",
        "Unsupported method shape",
        "'{0}' {1}; HTTP methods must be non-generic instance methods");

    public static readonly DiagnosticDescriptor InvalidRoute = Error(
        "ABLG012",
        "Invalid route template",
        "The route '{0}' of '{1}' is invalid: {2}");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "ABLG001" => MissingCancellationToken,
        "ABLG002" => UnsupportedReturnType,
        "ABLG003" => UnsupportedParameterType,
        "ABLG004" => TypeNotInJsonContext,
        "ABLG005" => InvalidJsonContext,
        "ABLG006" => RoutePlaceholderWithoutParameter,
        "ABLG007" => ParameterBoundTwice,
        "ABLG008" => MissingVerb,
        "ABLG009" => UnsupportedFormProperty,
        "ABLG010" => UnsupportedInterface,
        "ABLG011" => UnsupportedMethod,
        "ABLG012" => InvalidRoute,
        _ => throw new System.ArgumentOutOfRangeException(nameof(id), id, "Unknown diagnostic id."),
    };
}
