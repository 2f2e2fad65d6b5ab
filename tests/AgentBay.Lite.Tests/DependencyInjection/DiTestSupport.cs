using System.Net;
using AgentBay.Lite.Tests.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.Tests.DependencyInjection;

internal static class DiTestSupport
{
    public const string ApiKey = "akm-di";

    public static readonly Uri Endpoint = new("http://127.0.0.1:18091/");

    /// <summary>Valid options for a registration.</summary>
    public static void Valid(AgentBayOptions options)
    {
        options.ApiKey = ApiKey;
        options.Endpoint = Endpoint;
    }

    /// <summary>A recording handler that answers the next <paramref name="count"/> GetLink calls with distinct URLs.</summary>
    public static RecordingHandler LinkAnswers(int count = 4)
    {
        var handler = new RecordingHandler();
        for (int i = 0; i < count; i++)
        {
            handler.Responses.Enqueue((HttpStatusCode.OK, $$$"""{"RequestId":"R{{{i}}}","Success":true,"Code":"ok","HttpStatusCode":200,"Data":{"Url":"wss://gw.example.test/websocket_ai/t{{{i}}}"}}""", null));
        }

        return handler;
    }

    /// <summary>The form field of a recorded request.</summary>
    public static string FormValue(this RecordedRequest request, string key) => Assert.Single(request.Form, pair => pair.Key == key).Value;

    public static ServiceProvider Build(this IServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
}

/// <summary>A delegating handler, as users add with <c>AddHttpMessageHandler</c>, that counts what passes through it.</summary>
internal sealed class CountingHandler : DelegatingHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
