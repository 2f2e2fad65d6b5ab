using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.Control;

/// <summary>
/// The control API under <c>/_emulator/</c> (never an RPC path: RPC lives at <c>/</c> only). Every route needs
/// the header <c>Authorization: Bearer &lt;key&gt;</c>. Answers are plain JSON (not the POP envelope).
/// </summary>
internal sealed class ControlEndpoints
{
    public const string Prefix = "/_emulator";
    private const int MaxBodyBytes = 64 * 1024;
    private const string RouteList = "GET|DELETE /counters, POST /counters/reset, GET|PUT|DELETE /faults, GET|PUT|DELETE /latency, GET /links/{token}, GET /status, GET /memory, POST /memory/collect";
    private static readonly string[] KnownRoutes = ["counters", "counters/reset", "faults", "latency", "status", "memory", "memory/collect"];

    private readonly EmulatorState _state;
    private readonly string _expected;

    private ControlEndpoints(EmulatorState state)
    {
        _state = state;
        _expected = "Bearer " + state.ApiKey;
    }

    public static void Map(IEndpointRouteBuilder app, EmulatorState state)
    {
        var control = new ControlEndpoints(state);
        var group = app.MapGroup(Prefix);
        group.MapGet("/counters", control.Guard(c => control.WriteCountersAsync(c.Response)));
        group.MapDelete("/counters", control.Guard(control.ResetCountersAsync));
        group.MapPost("/counters/reset", control.Guard(control.ResetCountersAsync));
        group.MapGet("/faults", control.Guard(c => control.WriteFaultsAsync(c.Response)));
        group.MapMethods("/faults", ["PUT", "POST"], control.Guard(control.SetFaultsAsync));
        group.MapDelete("/faults", control.Guard(c =>
        {
            control.ClearFaults(c.Request.Query["action"].ToString());
            return control.WriteFaultsAsync(c.Response);
        }));
        group.MapGet("/latency", control.Guard(c => control.WriteLatencyAsync(c.Response)));
        group.MapMethods("/latency", ["PUT", "POST"], control.Guard(control.SetLatencyAsync));
        group.MapDelete("/latency", control.Guard(c =>
        {
            control.ClearLatency(c.Request.Query["action"].ToString());
            return control.WriteLatencyAsync(c.Response);
        }));
        group.MapGet("/status", control.Guard(c => control.WriteStatusAsync(c.Response)));
        group.MapGet("/memory", control.Guard(c => WriteMemoryAsync(c.Response)));
        group.MapPost("/memory/collect", control.Guard(c =>
        {
            // A full, compacting collection (large objects included), so the figures show what the emulator still holds.
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return WriteMemoryAsync(c.Response);
        }));
        group.MapGet("/links/{token}", control.Guard(c => control.ResolveLinkAsync(c.Response, (string)c.Request.RouteValues["token"]!)));

        // Whatever the routes above did not take: a known route with another method, or no route at all.
        group.Map("/{**rest}", control.Guard(c =>
        {
            var rest = ((string?)c.Request.RouteValues["rest"] ?? "").TrimEnd('/');
            return KnownRoutes.Contains(rest) || rest.StartsWith("links/", StringComparison.Ordinal)
                ? ErrorAsync(c.Response, 405, $"The method {c.Request.Method} is not allowed on {Prefix}/{rest}.")
                : ErrorAsync(c.Response, 404, $"Unknown control route {Prefix}/{rest}. Routes: {RouteList}.");
        }));
    }

    /// <summary>Checks the key, and turns bad input into a 400 with an error text.</summary>
    private RequestDelegate Guard(Func<HttpContext, Task> handler) => async context =>
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count != 1 || !string.Equals(request.Headers.Authorization[0], _expected, StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ErrorAsync(context.Response, 401, "The control API needs the header 'Authorization: Bearer <api key>'.");
            return;
        }

        try
        {
            await handler(context);
        }
        catch (ControlInputException ex)
        {
            await ErrorAsync(context.Response, 400, ex.Message);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            await ErrorAsync(context.Response, 400, ex.Message);
        }
    };

    private Task ResetCountersAsync(HttpContext context)
    {
        _state.Counters.Reset();
        return WriteCountersAsync(context.Response);
    }

    private Task WriteCountersAsync(HttpResponse response)
    {
        var counts = _state.Counters.Snapshot();
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteStartObject("counters");
        long total = 0;
        foreach (var (action, n) in counts)
        {
            w.WriteNumber(action, n);
            total += n;
        }

        w.WriteEndObject();
        w.WriteNumber("total", total);
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private Task WriteStatusAsync(HttpResponse response)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteString("scheme", _state.Scheme);
        w.WriteString("linkHost", _state.LinkHost);
        w.WriteNumber("liveSessions", _state.Sessions.LiveCount);
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private static Task WriteMemoryAsync(HttpResponse response)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteNumber("managedBytes", GC.GetTotalMemory(forceFullCollection: false));
        w.WriteNumber("residentBytes", Environment.WorkingSet);
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private Task ResolveLinkAsync(HttpResponse response, string token)
    {
        var link = _state.Sessions.ResolveLink(token);
        if (link is null)
        {
            return ErrorAsync(response, 404, "No live link has this token.");
        }

        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteString("sessionId", link.Session.Id);
        w.WriteString("protocol", link.Protocol);
        if (link.Port is { } port)
        {
            w.WriteNumber("port", port);
        }
        else
        {
            w.WriteNull("port");
        }

        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private Task WriteFaultsAsync(HttpResponse response)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WritePropertyName("global");
        WriteFault(w, _state.Injector.GetFaults(null));
        w.WriteStartObject("actions");
        foreach (var (action, profile) in _state.Injector.FaultOverrides)
        {
            w.WritePropertyName(action);
            WriteFault(w, profile);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private static void WriteFault(Utf8JsonWriter w, FaultProfile? p)
    {
        if (p is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        w.WriteNumber("serverErrorRate", p.ServerErrorRate);
        w.WriteNumber("serviceUnavailableRate", p.ServiceUnavailableRate);
        w.WriteNumber("throttlingRate", p.ThrottlingRate);
        w.WriteNumber("retryAfterMs", (long)p.RetryAfter.TotalMilliseconds);
        w.WriteNumber("malformedJsonRate", p.MalformedJsonRate);
        w.WriteNumber("connectionResetRate", p.ConnectionResetRate);
        if (p.MaxFaults is { } max)
        {
            w.WriteNumber("maxFaults", max);
        }
        else
        {
            w.WriteNull("maxFaults");
        }

        w.WriteEndObject();
    }

    private Task WriteLatencyAsync(HttpResponse response)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WritePropertyName("global");
        WriteLatency(w, _state.Injector.GetLatency(null));
        w.WriteStartObject("actions");
        foreach (var (action, profile) in _state.Injector.LatencyOverrides)
        {
            w.WritePropertyName(action);
            WriteLatency(w, profile);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private static void WriteLatency(Utf8JsonWriter w, LatencyProfile? p)
    {
        if (p is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        w.WriteNumber("fixedMs", p.Fixed.TotalMilliseconds);
        w.WriteNumber("jitterMs", p.Jitter.TotalMilliseconds);
        w.WriteEndObject();
    }

    private async Task SetFaultsAsync(HttpContext context)
    {
        using var doc = await ReadJsonAsync(context);
        var root = doc.RootElement;
        var action = OptionalAction(root);
        var profile = new FaultProfile
        {
            ServerErrorRate = Number(root, "serverErrorRate") ?? 0,
            ServiceUnavailableRate = Number(root, "serviceUnavailableRate") ?? 0,
            ThrottlingRate = Number(root, "throttlingRate") ?? 0,
            RetryAfter = TimeSpan.FromMilliseconds(Number(root, "retryAfterMs") ?? 1000),
            MalformedJsonRate = Number(root, "malformedJsonRate") ?? 0,
            ConnectionResetRate = Number(root, "connectionResetRate") ?? 0,
            MaxFaults = Number(root, "maxFaults") is { } max ? checked((int)max) : null,
        };
        if (Number(root, "seed") is { } seed)
        {
            _state.Injector.Reseed((int)seed);
        }

        _state.Injector.SetFaults(profile, action);
        await WriteFaultsAsync(context.Response);
    }

    private async Task SetLatencyAsync(HttpContext context)
    {
        using var doc = await ReadJsonAsync(context);
        var root = doc.RootElement;
        var action = OptionalAction(root);
        var profile = new LatencyProfile(
            TimeSpan.FromMilliseconds(Number(root, "fixedMs") ?? 0),
            TimeSpan.FromMilliseconds(Number(root, "jitterMs") ?? 0));
        _state.Injector.SetLatency(profile, action);
        await WriteLatencyAsync(context.Response);
    }

    private void ClearFaults(string action)
    {
        if (action.Length == 0)
        {
            _state.Injector.SetFaults(null, null);
            foreach (var (a, _) in _state.Injector.FaultOverrides.ToArray())
            {
                _state.Injector.SetFaults(null, a);
            }
        }
        else
        {
            _state.Injector.SetFaults(null, action);
        }
    }

    private void ClearLatency(string action)
    {
        if (action.Length == 0)
        {
            _state.Injector.SetLatency(null, null);
            foreach (var a in _state.Injector.LatencyOverrides.Keys.ToArray())
            {
                _state.Injector.SetLatency(null, a);
            }
        }
        else
        {
            _state.Injector.SetLatency(null, action);
        }
    }

    private static string? OptionalAction(JsonElement root)
    {
        if (!root.TryGetProperty("action", out var a) || a.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var name = a.ValueKind == JsonValueKind.String && Text.TryGetString(a, out var text) ? text : null;
        if (string.IsNullOrEmpty(name) || RpcActionNames.FindOperation(name) is null)
        {
            throw new ControlInputException($"\"action\" must be one of {string.Join(", ", RpcActionNames.Operations)}.");
        }

        return name;
    }

    private static double? Number(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || double.IsNaN(d) || d < 0 || d > 1e9)
        {
            throw new ControlInputException($"\"{name}\" must be a non-negative number.");
        }

        return d;
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            if (result.Buffer.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw new ControlInputException($"The control body must be at most {MaxBodyBytes.ToString(CultureInfo.InvariantCulture)} bytes.");
            }

            if (result.IsCompleted)
            {
                try
                {
                    var bytes = result.Buffer.ToArray();
                    var doc = JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        doc.Dispose();
                        throw new ControlInputException("The control body must be a JSON object.");
                    }

                    return doc;
                }
                catch (JsonException ex)
                {
                    throw new ControlInputException("The control body is not valid JSON: " + ex.Message);
                }
                finally
                {
                    reader.AdvanceTo(result.Buffer.End);
                }
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static Task ErrorAsync(HttpResponse response, int status, string message)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
        return JsonOut.SendAsync(response, status);
    }

    private sealed class ControlInputException(string message) : Exception(message);
}
