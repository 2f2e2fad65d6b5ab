using AgentBay.Lite;
using AgentBay.Lite.Caching.Shared;
using AgentBay.Lite.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <see cref="IAgentBayClient"/> (and <see cref="AgentBayClient"/>) with a dependency-injection container,
/// sending through a named <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>.
/// </summary>
/// <remarks>
/// <para>
/// What a registration adds: named <see cref="AgentBayOptions"/> (the default name for <see cref="AddAgentBay(IServiceCollection)"/>,
/// <c>serviceKey.ToString()</c> for a keyed registration), validated when the client is first resolved and, in a host,
/// at start-up (<c>ValidateOnStart</c>); a named <see cref="HttpClient"/> (<c>"AgentBay"</c>, or
/// <c>"AgentBay:{serviceKey}"</c>); and <see cref="AgentBayClient"/> plus <see cref="IAgentBayClient"/> as one
/// singleton (keyed when a key is given). Every registration is made with <c>TryAdd*</c> and factory lambdas, so it
/// is trimming- and NativeAOT-safe, and calling a method again for the same key adds nothing but its configuration.
/// </para>
/// <para>
/// The client is a singleton, so it keeps the one <see cref="HttpClient"/> it was built with. Instead of relying on
/// the factory's handler rotation (which only helps code that creates new clients), the registration makes the
/// primary handler the SDK's own <see cref="System.Net.Http.SocketsHttpHandler"/>, which replaces pooled connections
/// every two minutes so gateway DNS changes are seen, and sets an infinite handler lifetime so the factory does not
/// build handler chains nobody uses. Delegating handlers added through the returned builder are therefore created
/// once and live as long as the client: do not give them scoped dependencies.
/// </para>
/// <para>
/// Options are read once, when the client is first resolved; later changes (for example through
/// <see cref="IOptionsMonitor{TOptions}"/> reloads) do not affect a client that already exists.
/// <see cref="AgentBayOptions.HttpClient"/> and <see cref="AgentBayOptions.HttpMessageHandler"/> must stay unset:
/// configure the HTTP stack through the returned <see cref="IHttpClientBuilder"/> instead.
/// </para>
/// </remarks>
public static class AgentBayServiceCollectionExtensions
{
    /// <summary>
    /// Registers an AgentBay client configured from the <c>AGENTBAY_*</c> environment variables, read when the
    /// options are first built (see <see cref="AgentBayOptions.FromEnvironment()"/>).
    /// </summary>
    /// <remarks>
    /// Only variables that are set are applied, at the point of this call: configuration added afterwards (for
    /// example a later <see cref="AddAgentBay(IServiceCollection, Action{AgentBayOptions})"/> call) overrides them.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder of the named <see cref="HttpClient"/> (<c>"AgentBay"</c>) the client sends through.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddAgentBay(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddAgentBayCore(services, serviceKey: null, configure: null, Environment.GetEnvironmentVariable);
    }

    /// <summary>Registers an AgentBay client configured by <paramref name="configure"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, e.g. <c>o =&gt; o.ApiKey = key</c>.</param>
    /// <returns>The builder of the named <see cref="HttpClient"/> (<c>"AgentBay"</c>) the client sends through.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddAgentBay(this IServiceCollection services, Action<AgentBayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddAgentBayCore(services, serviceKey: null, configure, getVariable: null);
    }

    /// <summary>
    /// Registers a keyed AgentBay client configured from the <c>AGENTBAY_*</c> environment variables; resolve it with
    /// <c>[FromKeyedServices(key)]</c> or <c>GetRequiredKeyedService&lt;IAgentBayClient&gt;(key)</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">
    /// The key; its <see cref="object.ToString"/> names the options and the HTTP client, so keys must differ in text.
    /// <see langword="null"/> is the same as <see cref="AddAgentBay(IServiceCollection)"/>.
    /// </param>
    /// <returns>The builder of the named <see cref="HttpClient"/> (<c>"AgentBay:{serviceKey}"</c>) the client sends through.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="serviceKey"/> is <see cref="KeyedService.AnyKey"/> or its text is empty.</exception>
    /// <exception cref="InvalidOperationException">Another key with the same text is already registered.</exception>
    public static IHttpClientBuilder AddKeyedAgentBay(this IServiceCollection services, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddAgentBayCore(services, serviceKey, configure: null, Environment.GetEnvironmentVariable);
    }

    /// <summary>
    /// Registers a keyed AgentBay client configured by <paramref name="configure"/>, e.g. one per account or gateway;
    /// resolve it with <c>[FromKeyedServices(key)]</c> or <c>GetRequiredKeyedService&lt;IAgentBayClient&gt;(key)</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">
    /// The key; its <see cref="object.ToString"/> names the options and the HTTP client, so keys must differ in text.
    /// <see langword="null"/> is the same as <see cref="AddAgentBay(IServiceCollection, Action{AgentBayOptions})"/>.
    /// </param>
    /// <param name="configure">Sets this client's options.</param>
    /// <returns>The builder of the named <see cref="HttpClient"/> (<c>"AgentBay:{serviceKey}"</c>) the client sends through.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="serviceKey"/> is <see cref="KeyedService.AnyKey"/> or its text is empty.</exception>
    /// <exception cref="InvalidOperationException">Another key with the same text is already registered.</exception>
    public static IHttpClientBuilder AddKeyedAgentBay(this IServiceCollection services, object? serviceKey, Action<AgentBayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddAgentBayCore(services, serviceKey, configure, getVariable: null);
    }

    /// <summary>
    /// The one registration path. <paramref name="getVariable"/> non-null means "apply the environment variables
    /// read through it" (tests pass a dictionary instead of the process environment).
    /// </summary>
    internal static IHttpClientBuilder AddAgentBayCore(
        IServiceCollection services,
        object? serviceKey,
        Action<AgentBayOptions>? configure,
        Func<string, string?>? getVariable)
    {
        AgentBayRegistration registration = FindOrAddRegistration(services, serviceKey, out bool added);
        string optionsName = registration.OptionsName;
        OptionsBuilder<AgentBayOptions> options = services.AddOptions<AgentBayOptions>(optionsName);

        if (added)
        {
            // Validate on first resolution (IOptionsMonitor.Get runs the validators) and at host start-up.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentBayOptions>, AgentBayOptionsValidator>(
                static sp => new AgentBayOptionsValidator(sp.GetServices<AgentBayRegistration>())));
            options.ValidateOnStart();
        }

        if (getVariable is not null && !registration.ReadsEnvironment)
        {
            registration.ReadsEnvironment = true;
            options.Configure(target => ApplyEnvironment(target, getVariable));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!added)
        {
            // Not AddHttpClient again: each call adds a start-up check of its own.
            return registration.HttpClientBuilder!;
        }

        IHttpClientBuilder http = services.AddHttpClient(registration.HttpClientName);
        registration.HttpClientBuilder = http;
        http.ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan) // AgentBayOptions.Timeout applies per call.
            .ConfigurePrimaryHttpMessageHandler(sp => AgentBayClient.CreateHandler(GetOptions(sp, optionsName)))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        if (serviceKey is null)
        {
            services.TryAddSingleton(sp => CreateClient(sp, registration));
            services.TryAddSingleton<IAgentBayClient>(static sp => sp.GetRequiredService<AgentBayClient>());
        }
        else
        {
            services.TryAddKeyedSingleton(serviceKey, (sp, _) => CreateClient(sp, registration));
            services.TryAddKeyedSingleton<IAgentBayClient>(serviceKey, static (sp, key) => sp.GetRequiredKeyedService<AgentBayClient>(key));
        }

        return http;
    }

    /// <summary>The options name of a registration: the default name, or the key's text.</summary>
    internal static string GetOptionsName(object? serviceKey)
    {
        if (serviceKey is null)
        {
            return Microsoft.Extensions.Options.Options.DefaultName;
        }

        if (ReferenceEquals(serviceKey, KeyedService.AnyKey))
        {
            throw new ArgumentException(
                "KeyedService.AnyKey cannot key an AgentBay client. Use a key of your own, e.g. \"primary\" or \"singapore\".",
                nameof(serviceKey));
        }

        string? text = serviceKey.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException(
                $"The service key of type {serviceKey.GetType().Name} has an empty ToString(), which names the client's options and HttpClient. Use a key whose text is not empty, e.g. a string.",
                nameof(serviceKey));
        }

        return text;
    }

    private static AgentBayRegistration FindOrAddRegistration(IServiceCollection services, object? serviceKey, out bool added)
    {
        string optionsName = GetOptionsName(serviceKey);
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType != typeof(AgentBayRegistration) || descriptor.IsKeyedService
                || descriptor.ImplementationInstance is not AgentBayRegistration existing
                || existing.OptionsName != optionsName)
            {
                continue;
            }

            if (!Equals(existing.ServiceKey, serviceKey))
            {
                throw new InvalidOperationException(
                    $"An AgentBay client keyed '{existing.ServiceKey}' ({existing.ServiceKey?.GetType().Name}) is already registered, and the key '{serviceKey}' ({serviceKey?.GetType().Name}) has the same text, which names the options and the HttpClient. Use keys whose ToString() differ.");
            }

            added = false;
            return existing;
        }

        var registration = new AgentBayRegistration(
            serviceKey,
            optionsName,
            serviceKey is null ? AgentBayRegistration.DefaultHttpClientName : AgentBayRegistration.DefaultHttpClientName + ":" + optionsName);
        services.AddSingleton(registration);
        added = true;
        return registration;
    }

    private static AgentBayOptions GetOptions(IServiceProvider services, string optionsName) =>
        services.GetRequiredService<IOptionsMonitor<AgentBayOptions>>().Get(optionsName);

    private static AgentBayClient CreateClient(IServiceProvider services, AgentBayRegistration registration)
    {
        // Options first: an invalid configuration fails here, with the validator's message, before any HTTP setup.
        AgentBayOptions options = GetOptions(services, registration.OptionsName);
        HttpClient http = services.GetRequiredService<IHttpClientFactory>().CreateClient(registration.HttpClientName);
        SharedLinkTier? sharedLinks = registration.CreateSharedLinks?.Invoke(services, options);
        // Logs and metrics go where the host's go (AddLogging, AddMetrics); without them, nowhere and to the process-wide meter.
        return new AgentBayClient(
            options, http, createBackend: null, services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>(), sharedLinks);
    }

    /// <summary>
    /// Applies the <c>AGENTBAY_*</c> variables that are set (or, when only <c>AGB_API_KEY</c> is, the service AGB and the
    /// <c>AGB_*</c> variables), leaving every other setting as it is.
    /// </summary>
    internal static void ApplyEnvironment(AgentBayOptions target, Func<string, string?> getVariable)
    {
        AgentBayOptions read = AgentBayOptions.FromEnvironment(getVariable);
        if (read.Service == AgentBayService.Agb)
        {
            target.Service = AgentBayService.Agb;
        }

        if (IsSet(getVariable, read.ApiKeyVariableName))
        {
            target.ApiKey = read.ApiKey;
        }

        if (IsSet(getVariable, read.EndpointVariableName))
        {
            target.Endpoint = read.Endpoint;
        }

        if (IsSet(getVariable, read.TimeoutVariableName))
        {
            target.Timeout = read.Timeout;
        }

        if (read.Service == AgentBayService.AgentBay && IsSet(getVariable, AgentBayOptions.RegionIdVariable))
        {
            target.RegionId = read.RegionId;
        }
    }

    private static bool IsSet(Func<string, string?> getVariable, string name) => !string.IsNullOrWhiteSpace(getVariable(name));
}
