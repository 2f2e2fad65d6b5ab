using Microsoft.CodeAnalysis;

namespace AgentBay.Lite.Generators;

/// <summary>Placeholder until the generator lands.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class HttpApiGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
