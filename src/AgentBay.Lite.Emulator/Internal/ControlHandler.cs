using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Internal;

/// <summary>
/// The control API under <c>/_emulator/</c> (never an RPC path: RPC lives at <c>/</c> only). Every route needs
/// the header <c>Authorization: Bearer &lt;key&gt;</c>. Answers are plain JSON (not the POP envelope).
/// </summary>
internal sealed class ControlHandler
{
    public const string Prefix = "/_emulator";
    private const int MaxBodyBytes = 64 * 1024;

    private readonly EmulatorState _state;
    private readonly string _expected;

    public ControlHandler(EmulatorState state)
    {
        _state = state;
        _expected = "Bearer " + state.ApiKey;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.Headers.Authorization.Count != 1 || !string.Equals(request.Headers.Authorization[0], _expected, StringComparison.Ordinal))
        {
            response.Headers.WWWAuthenticate = "Bearer";
            await ErrorAsync(response, 401, "The control API needs the header 'Authorization: Bearer <api key>'.");
            return;
        }

        var path = request.Path.Value!.AsSpan(Prefix.Length).TrimEnd('/').ToString();
        var method = request.Method;
        try
        {
            switch (path)
            {
                case "/counters" when HttpMethods.IsGet(method):
                    await WriteCountersAsync(response);
                    return;
                case "/counters" when HttpMethods.IsDelete(method):
                case "/counters/reset" when HttpMethods.IsPost(method):
                    _state.Counters.Reset();
                    await WriteCountersAsync(response);
                    return;
                case "/faults" when HttpMethods.IsGet(method):
                    await WriteFaultsAsync(response);
                    return;
                case "/faults" when HttpMethods.IsPut(method) || HttpMethods.IsPost(method):
                    await SetFaultsAsync(context);
                    return;
                case "/faults" when HttpMethods.IsDelete(method):
                    ClearFaults(request.Query["action"].ToString());
                    await WriteFaultsAsync(response);
                    return;
                case "/latency" when HttpMethods.IsGet(method):
                    await WriteLatencyAsync(response);
                    return;
                case "/latency" when HttpMethods.IsPut(method) || HttpMethods.IsPost(method):
                    await SetLatencyAsync(context);
                    return;
                case "/latency" when HttpMethods.IsDelete(method):
                    ClearLatency(request.Query["action"].ToString());
                    await WriteLatencyAsync(response);
                    return;
                case "/status" when HttpMethods.IsGet(method):
                    await WriteStatusAsync(response);
                    return;
                case var p when p.StartsWith("/links/", StringComparison.Ordinal) && HttpMethods.IsGet(method):
                    await ResolveLinkAsync(response, p["/links/".Length..]);
                    return;
                case "/counters" or "/counters/reset" or "/faults" or "/latency" or "/status":
                case var l when l.StartsWith("/links/", StringComparison.Ordinal):
                    await ErrorAsync(response, 405, $"The method {method} is not allowed on {Prefix}{path}.");
                    return;
                default:
                    await ErrorAsync(response, 404, $"Unknown control route {Prefix}{path}. Routes: GET|DELETE /counters, POST /counters/reset, GET|PUT|DELETE /faults, GET|PUT|DELETE /latency, GET /links/{{token}}, GET /status.");
                    return;
            }
        }
        catch (ControlInputException ex)
        {
            await ErrorAsync(response, 400, ex.Message);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            await ErrorAsync(response, 400, ex.Message);
        }
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

    private Task ResolveLinkAsync(HttpResponse response, string token)
    {
        var record = _state.Sessions.ResolveToken(token);
        if (record is null)
        {
            return ErrorAsync(response, 404, "No live link has this token.");
        }

        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteString("sessionId", record.SessionId);
        w.WriteString("protocol", record.Protocol);
        if (record.Port is { } port)
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

        var name = a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        if (string.IsNullOrEmpty(name) || Actions.IndexOf(name) == Actions.All.Length - 1)
        {
            throw new ControlInputException($"\"action\" must be one of {string.Join(", ", Actions.All[..^1])}.");
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
