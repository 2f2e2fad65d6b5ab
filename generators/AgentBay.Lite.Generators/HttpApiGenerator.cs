using AgentBay.Lite.Generators.Diagnostics;
using AgentBay.Lite.Generators.Emitting;
using AgentBay.Lite.Generators.Model;
using AgentBay.Lite.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentBay.Lite.Generators;

/// <summary>
/// Writes an <c>HttpClient</c> implementation for every interface marked <c>[AgentBay.Lite.Http.HttpApi]</c>.
/// </summary>
/// <remarks>
/// One pipeline item per interface (<c>ForAttributeWithMetadataName</c>), no compilation-wide combine. The parse step
/// yields an equatable model and equatable diagnostics; source and diagnostics are reported by separate outputs,
/// so a diagnostic that only moved does not re-emit source.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class HttpApiGenerator : IIncrementalGenerator
{
    /// <summary>The marker attribute.</summary>
    public const string HttpApiAttributeName = "AgentBay.Lite.Http.HttpApiAttribute";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                HttpApiAttributeName,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (attributeContext, cancellationToken) => Parser.Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<InterfaceModel> models = parsed
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.Model);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(models, static (output, model) => output.AddSource(model.HintName, Emitter.Emit(model)));
        context.RegisterSourceOutput(diagnostics, static (output, items) =>
        {
            foreach (DiagnosticInfo item in items)
            {
                output.ReportDiagnostic(item.ToDiagnostic());
            }
        });
    }
}
