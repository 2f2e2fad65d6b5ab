using Microsoft.Extensions.Options;

namespace AgentBay.Lite.DependencyInjection;

/// <summary>
/// Validates the <see cref="AgentBayOptions"/> of every DI registration with the same rules as the client constructor
/// (<see cref="AgentBayOptions.GetValidationErrors"/>), plus what only DI forbids. Hand-written rather than
/// DataAnnotations-based, which would need unreferenced code.
/// </summary>
internal sealed class AgentBayOptionsValidator : IValidateOptions<AgentBayOptions>
{
    private readonly Dictionary<string, AgentBayRegistration> _registrations;

    public AgentBayOptionsValidator(IEnumerable<AgentBayRegistration> registrations)
    {
        _registrations = new Dictionary<string, AgentBayRegistration>(StringComparer.Ordinal);
        foreach (AgentBayRegistration registration in registrations)
        {
            _registrations[registration.OptionsName] = registration;
        }
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AgentBayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!_registrations.TryGetValue(name ?? Options.DefaultName, out AgentBayRegistration? registration))
        {
            return ValidateOptionsResult.Skip; // Not options of an AddAgentBay registration.
        }

        var errors = new List<string>(options.GetValidationErrors());
        if (options.HttpClient is not null)
        {
            errors.Add(
                $"AgentBayOptions.HttpClient is set, but a client registered with AddAgentBay sends through IHttpClientFactory's client '{registration.HttpClientName}'. Leave HttpClient null and configure that client through the IHttpClientBuilder AddAgentBay returns (ConfigureHttpClient, AddHttpMessageHandler).");
        }

        if (options.HttpMessageHandler is not null)
        {
            errors.Add(
                $"AgentBayOptions.HttpMessageHandler is set, but a client registered with AddAgentBay gets its handlers from IHttpClientFactory's client '{registration.HttpClientName}'. Leave HttpMessageHandler null and call ConfigurePrimaryHttpMessageHandler on the IHttpClientBuilder AddAgentBay returns.");
        }

        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        string prefix = registration.ServiceKey is null
            ? "AgentBay client (AddAgentBay): "
            : $"AgentBay client keyed '{registration.ServiceKey}' (AddKeyedAgentBay): ";
        return ValidateOptionsResult.Fail(errors.Select(error => prefix + error));
    }
}
