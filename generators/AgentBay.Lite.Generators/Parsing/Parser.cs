using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AgentBay.Lite.Generators.Diagnostics;
using AgentBay.Lite.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentBay.Lite.Generators.Parsing;

/// <summary>
/// Turns one <c>[HttpApi]</c> interface into an <see cref="InterfaceModel"/> plus diagnostics. Symbols are only read
/// here; nothing symbolic leaves this class.
/// </summary>
internal sealed class Parser
{
    private const string HttpNamespace = "AgentBay.Lite.Http.";

    private static readonly SymbolDisplayFormat SignatureFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly List<string> _jsonTypes = new();
    private readonly List<string> _staticUris = new();
    private readonly List<FormBodyModel> _formBodies = new();
    private readonly Dictionary<ITypeSymbol, int> _formIndex = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ITypeSymbol> _failedForms = new(SymbolEqualityComparer.Default);
    private readonly List<EnumModel> _enums = new();
    private readonly Dictionary<ITypeSymbol, int> _enumIndex = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ITypeSymbol> _contextTypes = new(SymbolEqualityComparer.Default);
    private readonly Compilation _compilation;
    private string _contextName = string.Empty;

    private Parser(Compilation compilation, CancellationToken cancellationToken)
    {
        _compilation = compilation;
        _cancellationToken = cancellationToken;
    }

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var parser = new Parser(context.SemanticModel.Compilation, cancellationToken);
        InterfaceModel? model = parser.ParseInterface(context);
        return new ParseResult(parser._diagnostics.Count == 0 ? model : null, parser._diagnostics.ToEquatableArray());
    }

    private InterfaceModel? ParseInterface(GeneratorAttributeSyntaxContext context)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        Location interfaceLocation = context.TargetNode is InterfaceDeclarationSyntax declaration
            ? declaration.Identifier.GetLocation()
            : context.TargetNode.GetLocation();

        if (symbol.TypeParameters.Length > 0)
        {
            Report(DiagnosticDescriptors.UnsupportedInterface, interfaceLocation, symbol.Name, "is generic");
            return null;
        }

        if (symbol.ContainingType is not null)
        {
            Report(DiagnosticDescriptors.UnsupportedInterface, interfaceLocation, symbol.Name, "is nested in a type");
            return null;
        }

        foreach (INamedTypeSymbol baseInterface in symbol.AllInterfaces)
        {
            if (baseInterface.GetMembers().Length > 0)
            {
                Report(DiagnosticDescriptors.UnsupportedInterface, interfaceLocation, symbol.Name, "inherits members from '" + baseInterface.Name + "'");
                return null;
            }
        }

        // The JSON context.
        AttributeData httpApi = context.Attributes[0];
        var contextType = httpApi.ConstructorArguments.Length == 1 ? httpApi.ConstructorArguments[0].Value as INamedTypeSymbol : null;
        if (contextType is null || contextType.TypeKind == TypeKind.Error || !DerivesFrom(contextType, "System.Text.Json.Serialization.JsonSerializerContext"))
        {
            Report(DiagnosticDescriptors.InvalidJsonContext, interfaceLocation, contextType?.ToDisplayString() ?? "?", symbol.Name);
            return null;
        }

        _contextName = contextType.ToDisplayString();
        foreach (AttributeData attribute in contextType.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonSerializableAttribute"
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is ITypeSymbol declared)
            {
                _contextTypes.Add(declared);
            }
        }

        List<(string Name, string Value)> interfaceQuery = ReadConstants(symbol.GetAttributes(), "QueryConstantAttribute");
        List<(string Name, string Value)> interfaceHeaders = ReadConstants(symbol.GetAttributes(), "HeaderConstantAttribute");

        var methods = new List<MethodModel>();
        foreach (ISymbol member in symbol.GetMembers())
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                if (method.IsStatic || !method.IsAbstract)
                {
                    continue; // static members and default implementations need nothing from us
                }

                MethodModel? model = ParseMethod(method, interfaceQuery, interfaceHeaders);
                if (model is not null)
                {
                    methods.Add(model);
                }
            }
            else if (member is IPropertySymbol or IEventSymbol && member.IsAbstract)
            {
                Report(DiagnosticDescriptors.UnsupportedInterface, member.Locations.Length > 0 ? member.Locations[0] : interfaceLocation, symbol.Name, "declares the non-method member '" + member.Name + "'");
            }
        }

        string ns = symbol.ContainingNamespace.IsGlobalNamespace ? string.Empty : symbol.ContainingNamespace.ToDisplayString();
        string name = symbol.Name;
        string className = (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]) ? name.Substring(1) : name) + "Client";
        return new InterfaceModel(
            ns,
            symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            className,
            (ns.Length == 0 ? string.Empty : ns + ".") + name + ".g.cs",
            contextType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            _jsonTypes.ToEquatableArray(),
            _staticUris.ToEquatableArray(),
            methods.ToEquatableArray(),
            _formBodies.ToEquatableArray(),
            _enums.ToEquatableArray());
    }

    private MethodModel? ParseMethod(IMethodSymbol method, List<(string Name, string Value)> interfaceQuery, List<(string Name, string Value)> interfaceHeaders)
    {
        Location methodLocation = method.Locations[0];
        int errorsBefore = _diagnostics.Count;

        if (method.TypeParameters.Length > 0)
        {
            Report(DiagnosticDescriptors.UnsupportedMethod, methodLocation, method.Name, "is generic");
            return null;
        }

        // The verb.
        string? verb = null;
        string route = string.Empty;
        int verbCount = 0;
        foreach (AttributeData attribute in method.GetAttributes())
        {
            string? attributeName = attribute.AttributeClass?.ToDisplayString();
            string? candidate = attributeName switch
            {
                HttpNamespace + "GetAttribute" => "Get",
                HttpNamespace + "PostAttribute" => "Post",
                HttpNamespace + "PutAttribute" => "Put",
                HttpNamespace + "DeleteAttribute" => "Delete",
                _ => null,
            };
            if (candidate is not null)
            {
                verbCount++;
                verb = candidate;
                route = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? string.Empty : string.Empty;
            }
        }

        if (verbCount != 1)
        {
            Report(DiagnosticDescriptors.MissingVerb, methodLocation, method.Name, verbCount == 0 ? "no" : verbCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }

        // The return type.
        ReturnKind returnKind;
        int resultJsonType = -1;
        ITypeSymbol returnType = method.ReturnType;
        INamedTypeSymbol? task = _compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        INamedTypeSymbol? taskOfT = _compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        INamedTypeSymbol? apiResponse = _compilation.GetTypeByMetadataName(HttpNamespace + "ApiResponse`1");
        if (SymbolEqualityComparer.Default.Equals(returnType, task))
        {
            returnKind = ReturnKind.Task;
        }
        else if (returnType is INamedTypeSymbol { TypeArguments.Length: 1 } named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, taskOfT))
        {
            ITypeSymbol result = named.TypeArguments[0];
            if (result is INamedTypeSymbol { TypeArguments.Length: 1 } response && SymbolEqualityComparer.Default.Equals(response.OriginalDefinition, apiResponse))
            {
                returnKind = ReturnKind.ApiResponse;
                result = response.TypeArguments[0];
            }
            else
            {
                returnKind = ReturnKind.TaskOfT;
            }

            resultJsonType = RequireJsonType(result, methodLocation, "the response type of '" + method.Name + "'");
        }
        else
        {
            Report(DiagnosticDescriptors.UnsupportedReturnType, methodLocation, method.Name, returnType.ToDisplayString());
            return null;
        }

        // The route.
        var routeParts = new List<(bool IsHole, string Text)>();
        if (!TryParseRoute(route, routeParts, out string? routeError))
        {
            Report(DiagnosticDescriptors.InvalidRoute, methodLocation, route, method.Name, routeError!);
            return null;
        }

        var holes = new Dictionary<string, ValueModel?>(StringComparer.OrdinalIgnoreCase);
        var holeOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((bool isHole, string text) in routeParts)
        {
            if (isHole)
            {
                holes[text] = null;
            }
        }

        // The parameters.
        var signature = new List<ParameterModel>();
        var queryValues = new List<UriPart>();
        var headerValues = new List<HeaderModel>();
        var nullChecks = new List<ValueModel>();
        BodyModel? body = null;
        string? bodyOwner = null;
        string? cancellationToken = null;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            Location location = parameter.Locations.Length > 0 ? parameter.Locations[0] : methodLocation;
            string parameterName = Escaping.Identifier(parameter.Name);
            signature.Add(new ParameterModel(parameterName, parameter.Type.ToDisplayString(SignatureFormat)));

            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                Report(DiagnosticDescriptors.UnsupportedParameterType, location, parameter.Name, parameter.Type.ToDisplayString(), "as a ref, out, in or params parameter", "pass it by value");
                continue;
            }

            AttributeData? bodyAttribute = null;
            AttributeData? headerAttribute = null;
            bool query = false;
            string wireName = parameter.Name;
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case HttpNamespace + "BodyAttribute":
                        bodyAttribute = attribute;
                        break;
                    case HttpNamespace + "HeaderAttribute":
                        headerAttribute = attribute;
                        break;
                    case HttpNamespace + "QueryAttribute":
                        query = true;
                        break;
                    case HttpNamespace + "AliasAsAttribute":
                        wireName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? wireName : wireName;
                        break;
                }
            }

            bool isCancellationToken = parameter.Type.ToDisplayString() == "System.Threading.CancellationToken";
            bool isRoute = !isCancellationToken && holes.ContainsKey(wireName);
            var bindings = new List<string>();
            if (isCancellationToken)
            {
                bindings.Add(cancellationToken is null ? "the CancellationToken" : "a second CancellationToken, after '" + cancellationToken + "'");
            }

            if (isRoute)
            {
                bindings.Add(holeOwners.TryGetValue(wireName, out string? owner)
                    ? "route placeholder {" + wireName + "}, already bound to '" + owner + "'"
                    : "route placeholder {" + wireName + "}");
            }

            if (bodyAttribute is not null)
            {
                bindings.Add(bodyOwner is null ? "[Body]" : "a second [Body], after '" + bodyOwner + "'");
            }

            if (query)
            {
                bindings.Add("[Query]");
            }

            if (headerAttribute is not null)
            {
                bindings.Add("[Header]");
            }

            bool twice = bindings.Count > 1
                || (isCancellationToken && cancellationToken is not null)
                || (isRoute && holeOwners.ContainsKey(wireName))
                || (bodyAttribute is not null && bodyOwner is not null);
            if (twice)
            {
                if (isRoute && !holeOwners.ContainsKey(wireName))
                {
                    holeOwners[wireName] = parameter.Name; // claimed, so the hole does not also report ABLG006
                }

                Report(DiagnosticDescriptors.ParameterBoundTwice, location, parameter.Name, string.Join(" and ", bindings));
                continue;
            }

            if (isCancellationToken)
            {
                cancellationToken = parameterName;
            }
            else if (bodyAttribute is not null)
            {
                bodyOwner = parameter.Name;
                body = ParseBody(parameter, parameterName, bodyAttribute, location);
            }
            else if (headerAttribute is not null)
            {
                string headerName = headerAttribute.ConstructorArguments.Length == 1 ? headerAttribute.ConstructorArguments[0].Value as string ?? parameter.Name : parameter.Name;
                ValueModel? value = ParseScalar(parameter, parameterName, location, "as a header");
                if (value is not null)
                {
                    headerValues.Add(new HeaderModel(headerName, null, value));
                }
            }
            else if (isRoute)
            {
                holeOwners[wireName] = parameter.Name;
                ValueModel? value = ParseScalar(parameter, parameterName, location, "in the route");
                if (value is not null)
                {
                    holes[wireName] = value;
                    if (value.CanBeNull)
                    {
                        nullChecks.Add(value);
                    }
                }
            }
            else
            {
                ValueModel? value = ParseScalar(parameter, parameterName, location, "as a query value");
                if (value is not null)
                {
                    queryValues.Add(new UriPart(UriPartKind.Query, Escaping.EscapeDataString(wireName), value));
                }
            }
        }

        foreach ((bool isHole, string text) in routeParts)
        {
            if (isHole && !holeOwners.ContainsKey(text))
            {
                Report(DiagnosticDescriptors.RoutePlaceholderWithoutParameter, methodLocation, route, method.Name, text);
            }
        }

        if (cancellationToken is null)
        {
            Report(DiagnosticDescriptors.MissingCancellationToken, methodLocation, method.Name);
        }

        if (_diagnostics.Count != errorsBefore)
        {
            return null;
        }

        // The URI: route, interface constants, method constants, query parameters.
        var parts = new List<UriPart>();
        bool hasQuery = false;
        foreach ((bool isHole, string text) in routeParts)
        {
            if (isHole)
            {
                parts.Add(new UriPart(UriPartKind.Route, text, holes[text]));
            }
            else
            {
                hasQuery |= text.IndexOf('?') >= 0;
                AddLiteral(parts, text);
            }
        }

        bool routeHasQuery = hasQuery;
        foreach ((string name, string value) in Concat(interfaceQuery, ReadConstants(method.GetAttributes(), "QueryConstantAttribute")))
        {
            AddLiteral(parts, (hasQuery ? "&" : "?") + Escaping.EscapeDataString(name) + "=" + Escaping.EscapeDataString(value));
            hasQuery = true;
        }

        parts.AddRange(queryValues);
        int staticUri = -1;
        if (parts.Count == 0 || (parts.Count == 1 && parts[0].Kind == UriPartKind.Literal))
        {
            string text = parts.Count == 0 ? string.Empty : parts[0].Text;
            staticUri = _staticUris.IndexOf(text);
            if (staticUri < 0)
            {
                staticUri = _staticUris.Count;
                _staticUris.Add(text);
            }
        }

        var headers = new List<HeaderModel>();
        foreach ((string name, string value) in Concat(interfaceHeaders, ReadConstants(method.GetAttributes(), "HeaderConstantAttribute")))
        {
            headers.Add(new HeaderModel(name, value, null));
        }

        headers.AddRange(headerValues);

        return new MethodModel(
            Escaping.Identifier(method.Name),
            method.ReturnType.ToDisplayString(SignatureFormat),
            returnKind,
            resultJsonType,
            verb!,
            staticUri,
            parts.ToEquatableArray(),
            routeHasQuery,
            nullChecks.ToEquatableArray(),
            headers.ToEquatableArray(),
            body,
            signature.ToEquatableArray(),
            cancellationToken!);
    }

    private BodyModel? ParseBody(IParameterSymbol parameter, string parameterName, AttributeData attribute, Location location)
    {
        bool form = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int serialization && serialization == 1;
        ITypeSymbol type = parameter.Type;
        bool canBeNull = type.IsReferenceType || IsNullableValueType(type, out _);
        if (!form)
        {
            int index = RequireJsonType(type, location, "the JSON body '" + parameter.Name + "'");
            return index < 0 ? null : new BodyModel(parameterName, BodyKind.Json, index, canBeNull);
        }

        ITypeSymbol bodyType = IsNullableValueType(type, out ITypeSymbol? underlying) ? underlying! : type;
        if (bodyType.SpecialType != SpecialType.None
            || bodyType is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } namedBody
            || namedBody.IsAbstract
            || bodyType.AllInterfaces.Any(i => i.ToDisplayString() == "System.Collections.IEnumerable"))
        {
            Report(DiagnosticDescriptors.UnsupportedParameterType, location, parameter.Name, type.ToDisplayString(), "as a form body", "use a concrete class, record or struct whose properties are the form fields");
            return null;
        }

        int formIndex = GetFormBody(bodyType, location);
        return formIndex < 0 ? null : new BodyModel(parameterName, BodyKind.Form, formIndex, canBeNull);
    }

    private int GetFormBody(ITypeSymbol type, Location parameterLocation)
    {
        if (_formIndex.TryGetValue(type, out int existing))
        {
            return existing;
        }

        if (_failedForms.Contains(type))
        {
            return -1;
        }

        // Base types first, then each type's properties in declaration order.
        var chain = new List<ITypeSymbol>();
        for (ITypeSymbol? current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            chain.Insert(0, current);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fields = new List<FormFieldModel>();
        bool failed = false;
        foreach (ITypeSymbol declaring in chain)
        {
            foreach (ISymbol member in declaring.GetMembers())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, IsOverride: false } property
                    || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public }
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                Location location = property.Locations.Length > 0 && property.Locations[0].IsInSource ? property.Locations[0] : parameterLocation;
                string wireName = property.Name;
                bool formJson = false;
                foreach (AttributeData attribute in property.GetAttributes())
                {
                    string? attributeName = attribute.AttributeClass?.ToDisplayString();
                    if (attributeName == HttpNamespace + "AliasAsAttribute" && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string alias)
                    {
                        wireName = alias;
                    }
                    else if (attributeName == HttpNamespace + "FormJsonAttribute")
                    {
                        formJson = true;
                    }
                }

                string expression = Escaping.Identifier(property.Name);
                ValueModel? value;
                if (formJson)
                {
                    bool nullableValue = IsNullableValueType(property.Type, out ITypeSymbol? underlying);
                    int index = RequireJsonType(nullableValue ? underlying! : property.Type, location, "the [FormJson] property '" + type.Name + "." + property.Name + "'");
                    value = index < 0 ? null : new ValueModel(expression, ValueKind.Json, nullableValue, property.Type.IsReferenceType, index);
                }
                else
                {
                    value = ClassifyScalar(property.Type, expression);
                    if (value is null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedFormProperty, location, property.Name, type.ToDisplayString(), property.Type.ToDisplayString());
                    }
                }

                if (value is null)
                {
                    failed = true;
                    continue;
                }

                fields.Add(new FormFieldModel(Escaping.EscapeDataString(wireName), value));
            }
        }

        if (failed)
        {
            _failedForms.Add(type);
            return -1;
        }

        int formIndex = _formBodies.Count;
        _formBodies.Add(new FormBodyModel(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), fields.ToEquatableArray()));
        _formIndex[type] = formIndex;
        return formIndex;
    }

    private ValueModel? ParseScalar(IParameterSymbol parameter, string expression, Location location, string where)
    {
        ValueModel? value = ClassifyScalar(parameter.Type, expression);
        if (value is null)
        {
            Report(
                DiagnosticDescriptors.UnsupportedParameterType,
                location,
                parameter.Name,
                parameter.Type.ToDisplayString(),
                where,
                "use a string, bool, number, char, Guid or enum (or a nullable one), or mark a complex value [Body]");
        }

        return value;
    }

    private ValueModel? ClassifyScalar(ITypeSymbol type, string expression)
    {
        bool nullableValue = IsNullableValueType(type, out ITypeSymbol? underlying);
        ITypeSymbol scalar = nullableValue ? underlying! : type;
        ValueKind kind;
        int formatter = -1;
        switch (scalar.SpecialType)
        {
            case SpecialType.System_String:
                kind = ValueKind.String;
                break;
            case SpecialType.System_Boolean:
                kind = ValueKind.Boolean;
                break;
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
                kind = ValueKind.Formattable;
                break;
            default:
                if (scalar.TypeKind == TypeKind.Enum && scalar is INamedTypeSymbol enumType)
                {
                    kind = ValueKind.Enum;
                    formatter = GetEnumFormatter(enumType);
                }
                else if (scalar.ToDisplayString() == "System.Guid")
                {
                    kind = ValueKind.Formattable;
                }
                else
                {
                    return null;
                }

                break;
        }

        return new ValueModel(expression, kind, nullableValue, type.IsReferenceType, formatter);
    }

    private int GetEnumFormatter(INamedTypeSymbol enumType)
    {
        if (_enumIndex.TryGetValue(enumType, out int existing))
        {
            return existing;
        }

        var members = new List<string>();
        var values = new HashSet<object>();
        foreach (ISymbol member in enumType.GetMembers())
        {
            if (member is IFieldSymbol { HasConstantValue: true, ConstantValue: { } constant } field && values.Add(constant))
            {
                members.Add(field.Name);
            }
        }

        int index = _enums.Count;
        _enums.Add(new EnumModel(
            enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            enumType.EnumUnderlyingType?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) ?? "int",
            members.ToEquatableArray()));
        _enumIndex[enumType] = index;
        return index;
    }

    private int RequireJsonType(ITypeSymbol type, Location location, string what)
    {
        ITypeSymbol plain = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        string display = plain.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (!_contextTypes.Contains(plain))
        {
            Report(DiagnosticDescriptors.TypeNotInJsonContext, location, plain.ToDisplayString(), _contextName, what);
            return -1;
        }

        int index = _jsonTypes.IndexOf(display);
        if (index < 0)
        {
            index = _jsonTypes.Count;
            _jsonTypes.Add(display);
        }

        return index;
    }

    private static bool TryParseRoute(string route, List<(bool IsHole, string Text)> parts, out string? error)
    {
        error = null;
        if (route.IndexOf("://", StringComparison.Ordinal) >= 0)
        {
            error = "routes are relative to the HttpClient's BaseAddress; remove the scheme and host";
            return false;
        }

        int literalStart = 0;
        for (int i = 0; i < route.Length; i++)
        {
            if (route[i] == '}')
            {
                error = "'}' at position " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + " closes no placeholder";
                return false;
            }

            if (route[i] != '{')
            {
                continue;
            }

            int end = route.IndexOf('}', i + 1);
            if (end < 0)
            {
                error = "the placeholder at position " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + " is not closed";
                return false;
            }

            string name = route.Substring(i + 1, end - i - 1);
            if (name.Length == 0 || name.IndexOf('{') >= 0 || !IsIdentifierLike(name))
            {
                error = "'{" + name + "}' is not a placeholder name (use letters, digits and '_')";
                return false;
            }

            if (i > literalStart)
            {
                parts.Add((false, route.Substring(literalStart, i - literalStart)));
            }

            parts.Add((true, name));
            literalStart = end + 1;
            i = end;
        }

        if (literalStart < route.Length)
        {
            parts.Add((false, route.Substring(literalStart)));
        }

        return true;
    }

    private static bool IsIdentifierLike(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddLiteral(List<UriPart> parts, string text)
    {
        if (parts.Count > 0 && parts[parts.Count - 1].Kind == UriPartKind.Literal)
        {
            parts[parts.Count - 1] = new UriPart(UriPartKind.Literal, parts[parts.Count - 1].Text + text, null);
        }
        else
        {
            parts.Add(new UriPart(UriPartKind.Literal, text, null));
        }
    }

    private static List<(string Name, string Value)> ReadConstants(IEnumerable<AttributeData> attributes, string attributeName)
    {
        var constants = new List<(string Name, string Value)>();
        foreach (AttributeData attribute in attributes)
        {
            if (attribute.AttributeClass?.ToDisplayString() == HttpNamespace + attributeName
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[0].Value is string name
                && attribute.ConstructorArguments[1].Value is string value)
            {
                constants.Add((name, value));
            }
        }

        return constants;
    }

    private static IEnumerable<T> Concat<T>(List<T> first, List<T> second)
    {
        foreach (T item in first)
        {
            yield return item;
        }

        foreach (T item in second)
        {
            yield return item;
        }
    }

    private static bool IsNullableValueType(ITypeSymbol type, out ITypeSymbol? underlying)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable)
        {
            underlying = nullable.TypeArguments[0];
            return true;
        }

        underlying = null;
        return false;
    }

    private static bool DerivesFrom(INamedTypeSymbol type, string baseName)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == baseName)
            {
                return true;
            }
        }

        return false;
    }

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        _diagnostics.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments)));
}
