using AgentBay.Lite.Generators.Diagnostics;

namespace AgentBay.Lite.Generators.Model;

// Everything here is a value: strings, ints, enums, records and EquatableArray. No ISymbol, Compilation,
// SyntaxNode or Location, so an unchanged interface yields an equal model and the emit step stays cached.

/// <summary>What the parse step yields per interface: a model to emit (null when there are errors) and the diagnostics.</summary>
internal sealed record ParseResult(InterfaceModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One <c>[HttpApi]</c> interface.</summary>
/// <param name="Namespace">The namespace, empty for the global namespace.</param>
/// <param name="InterfaceType">The interface as a <c>global::</c> name.</param>
/// <param name="ClassName">The generated class name.</param>
/// <param name="HintName">The generated file's hint name.</param>
/// <param name="JsonContextType">The JSON context as a <c>global::</c> name.</param>
/// <param name="JsonTypes">Types whose <c>JsonTypeInfo</c> is cached, by index.</param>
/// <param name="StaticUris">Fully constant relative URIs, by index.</param>
/// <param name="Methods">The methods.</param>
/// <param name="FormBodies">Form writers, by index.</param>
/// <param name="Enums">Enum formatters, by index.</param>
internal sealed record InterfaceModel(
    string Namespace,
    string InterfaceType,
    string ClassName,
    string HintName,
    string JsonContextType,
    EquatableArray<string> JsonTypes,
    EquatableArray<string> StaticUris,
    EquatableArray<MethodModel> Methods,
    EquatableArray<FormBodyModel> FormBodies,
    EquatableArray<EnumModel> Enums);

/// <summary>How a method's result is produced.</summary>
internal enum ReturnKind
{
    /// <summary><c>Task</c>: non-2xx throws.</summary>
    Task,

    /// <summary><c>Task&lt;T&gt;</c>: 2xx is deserialized, anything else throws.</summary>
    TaskOfT,

    /// <summary><c>Task&lt;ApiResponse&lt;T&gt;&gt;</c>: never throws for a status.</summary>
    ApiResponse,
}

/// <summary>One interface method.</summary>
/// <param name="Name">The method name (keyword-escaped).</param>
/// <param name="ReturnType">The declared return type.</param>
/// <param name="ReturnKind">The result shape.</param>
/// <param name="ResultJsonType">The index into <see cref="InterfaceModel.JsonTypes"/> of the result, or -1.</param>
/// <param name="HttpMethod">The <c>HttpMethod</c> property: Get, Post, Put or Delete.</param>
/// <param name="StaticUri">The index into <see cref="InterfaceModel.StaticUris"/> when the URI is constant, or -1.</param>
/// <param name="UriParts">The URI in order: literals, route values, query values.</param>
/// <param name="RouteHasQuery">Whether the literal part already carries a <c>?</c>.</param>
/// <param name="NullChecks">Parameters that must not be null (route values).</param>
/// <param name="Headers">Constant and parameter headers, in order.</param>
/// <param name="Body">The body, if any.</param>
/// <param name="Parameters">The signature.</param>
/// <param name="CancellationToken">The token parameter's name.</param>
internal sealed record MethodModel(
    string Name,
    string ReturnType,
    ReturnKind ReturnKind,
    int ResultJsonType,
    string HttpMethod,
    int StaticUri,
    EquatableArray<UriPart> UriParts,
    bool RouteHasQuery,
    EquatableArray<ValueModel> NullChecks,
    EquatableArray<HeaderModel> Headers,
    BodyModel? Body,
    EquatableArray<ParameterModel> Parameters,
    string CancellationToken);

/// <summary>A parameter of the signature.</summary>
internal sealed record ParameterModel(string Name, string Type);

/// <summary>How a scalar is written as text.</summary>
internal enum ValueKind
{
    /// <summary>A string, as is.</summary>
    String,

    /// <summary><c>true</c>/<c>false</c>.</summary>
    Boolean,

    /// <summary>An <c>ISpanFormattable</c> (numbers, char, Guid) with the invariant culture.</summary>
    Formattable,

    /// <summary>An enum, through a generated switch over member names.</summary>
    Enum,

    /// <summary>A JSON document through the context (form properties with <c>[FormJson]</c>).</summary>
    Json,
}

/// <summary>A value read from a parameter (or a property of a form body).</summary>
/// <param name="Expression">The C# expression (a parameter name or property name).</param>
/// <param name="Kind">How it is written.</param>
/// <param name="IsNullableValueType">Whether it is <c>Nullable&lt;T&gt;</c>.</param>
/// <param name="IsReferenceType">Whether it may be a null reference.</param>
/// <param name="Formatter">The enum formatter index, or the JSON type index, or -1.</param>
internal sealed record ValueModel(string Expression, ValueKind Kind, bool IsNullableValueType, bool IsReferenceType, int Formatter)
{
    public bool CanBeNull => IsNullableValueType || IsReferenceType;
}

/// <summary>What a URI part is.</summary>
internal enum UriPartKind
{
    /// <summary>Escaped literal text.</summary>
    Literal,

    /// <summary>A route hole.</summary>
    Route,

    /// <summary>A query parameter; <see cref="UriPart.Text"/> is the escaped key.</summary>
    Query,
}

/// <summary>A piece of the relative URI.</summary>
internal sealed record UriPart(UriPartKind Kind, string Text, ValueModel? Value);

/// <summary>A header: a constant value or a parameter.</summary>
internal sealed record HeaderModel(string Name, string? Constant, ValueModel? Value);

/// <summary>How a body is written.</summary>
internal enum BodyKind
{
    /// <summary>JSON through the context.</summary>
    Json,

    /// <summary>Form-urlencoded from the declared properties.</summary>
    Form,
}

/// <summary>The body parameter.</summary>
/// <param name="ParameterName">The parameter.</param>
/// <param name="Kind">JSON or form.</param>
/// <param name="Index">The JSON type index or the form writer index.</param>
/// <param name="CanBeNull">Whether the argument may be null (then no content is sent).</param>
internal sealed record BodyModel(string ParameterName, BodyKind Kind, int Index, bool CanBeNull);

/// <summary>A form writer for one body type.</summary>
internal sealed record FormBodyModel(string Type, EquatableArray<FormFieldModel> Fields);

/// <summary>One field of a form body.</summary>
/// <param name="EscapedName">The wire name, escaped (ASCII).</param>
/// <param name="Value">The property read.</param>
internal sealed record FormFieldModel(string EscapedName, ValueModel Value);

/// <summary>An enum formatter: a switch from members to their names.</summary>
/// <param name="Type">The enum type.</param>
/// <param name="UnderlyingType">Its underlying integral type.</param>
/// <param name="Members">One member name per distinct value, in declaration order.</param>
internal sealed record EnumModel(string Type, string UnderlyingType, EquatableArray<string> Members);
