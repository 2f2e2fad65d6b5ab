using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.Direct;

/// <summary>
/// A session's ws_url: a WebSocket (upgrade with <c>X-Access-Token</c>) multiplexing code runs by invocation id, as the
/// AGB SDKs speak it. A client frame <c>{invocationId, source:"SDK", target, data:{method:"run_code", mode:"stream",
/// params:{language, timeoutS, code}}}</c> starts a run; the server answers with event frames
/// (<c>data.phase:"event"</c>, <c>eventType</c> stdout/stderr/error, <c>chunk</c>, <c>seq</c>) as the program prints, then
/// one <c>phase:"end"</c> frame. <c>{"type":"ping"}</c> heartbeats are ignored. Deleting the session ends its runs and
/// closes the socket.
/// </summary>
internal static class CodeStreamEndpoint
{
    public static async Task HandleAsync(HttpContext context, EmulatorState state)
    {
        var sessionId = context.GetRouteValue("sessionId") as string ?? "";
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await DirectReplies.ErrorAsync(context.Response, 400, "InvalidParameter.Upgrade", "This is a session's ws_url: open it as a WebSocket (with the X-Access-Token header).");
            return;
        }

        if (!state.Sessions.Authorize(sessionId, context.Request.Headers[DirectRoutes.TokenHeader].ToString()).Succeeded(out var session, out var refusal))
        {
            await DirectReplies.ErrorAsync(context.Response, refusal);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await using var connection = new CodeStreamConnection(socket, session, state);
        await connection.RunAsync(context.RequestAborted);
    }
}

/// <summary>One accepted ws_url socket: reads frames, runs invocations concurrently, writes their frames one at a time.</summary>
internal sealed class CodeStreamConnection(WebSocket socket, EmulatedSession session, EmulatorState state) : IAsyncDisposable
{
    /// <summary>The largest client frame read; larger ones close the socket (1009, message too big).</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    /// <summary>The longest <c>timeoutS</c> honoured.</summary>
    public const int MaxTimeoutSeconds = 3600;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Task> _runs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _stopRuns = new();
    private int _executionCount;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        using var ended = session.Ended.Register(static c => ((CodeStreamConnection)c!).OnSessionEnded(), this);
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.GetMemory(4096), linked.Token);
                    buffer.Advance(received.Count);
                    if (buffer.WrittenCount > MaxFrameBytes)
                    {
                        await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"frames are limited to {MaxFrameBytes / 1024} KiB");
                        return;
                    }
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Binary)
                {
                    await SendErrorAsync(null, "binary frames are not part of the protocol: send JSON text frames");
                    continue;
                }

                await OnFrameAsync(buffer.WrittenMemory);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            await _stopRuns.CancelAsync();
            await Task.WhenAll(_runs.Values);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopRuns.CancelAsync();
        await Task.WhenAll(_runs.Values);
        _stopRuns.Dispose();
        _closing.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>
    /// The session was deleted: its runs end (each with a failed end frame), then the server closes the socket; the
    /// client's answering close ends the receive loop, or after 5 s the loop is cut.
    /// </summary>
    private void OnSessionEnded() => _ = Task.Run(async () =>
    {
        try
        {
            await _stopRuns.CancelAsync();
            await Task.WhenAll(_runs.Values);
            await CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "the session was deleted");
            _closing.CancelAfter(TimeSpan.FromSeconds(5));
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    });

    private async Task OnFrameAsync(ReadOnlyMemory<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException)
        {
            await SendErrorAsync(null, "the frame is not valid JSON");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await SendErrorAsync(null, "a frame must be a JSON object");
                return;
            }

            var invocationId = root.TryGetProperty("invocationId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            if (string.IsNullOrEmpty(invocationId))
            {
                // The SDKs' heartbeat: {"type":"ping"} every 20 s, with no invocation.
                if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() is "ping" or "pong")
                {
                    return;
                }

                await SendErrorAsync(null, "a frame needs an invocationId (a string naming the invocation)");
                return;
            }

            if (invocationId.Length > 200)
            {
                await SendErrorAsync(null, "the invocationId is longer than 200 characters");
                return;
            }

            var target = root.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } named ? named : "wuying_codespace";
            if (!TryReadRequest(root, out var request, out var problem))
            {
                await SendErrorAsync(invocationId, problem);
                return;
            }

            state.Counters.Increment(DirectRoutes.RunCodeOperation);
            var delay = state.Injector.NextDelay(DirectRoutes.RunCodeOperation);
            var (fault, _) = state.Injector.NextFault(DirectRoutes.RunCodeOperation);
            if (fault == FaultKind.ConnectionReset)
            {
                // The fault the SDK's reconnect logic is tested against: the socket drops, every pending run with it.
                socket.Abort();
                return;
            }

            if (fault != FaultKind.None)
            {
                await SendErrorAsync(invocationId, $"the run was refused with an injected {fault} fault (emulator fault injection)");
                return;
            }

            var run = new RunState(invocationId, target);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = RunCodeAsync(run, request, delay, started.Task);
            if (!_runs.TryAdd(invocationId, task))
            {
                started.SetCanceled();
                await SendErrorAsync(invocationId, "an invocation with this invocationId is still running");
                return;
            }

            started.SetResult();
        }
    }

    private async Task RunCodeAsync(RunState run, RunRequest request, TimeSpan delay, Task started)
    {
        try
        {
            await started;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (delay > TimeSpan.Zero)
            {
                await state.Delays.DelayAsync(delay, _stopRuns.Token);
            }

            var count = Interlocked.Increment(ref _executionCount);
            CodeRunEnd end;
            if (state.Tools.Code.Refusal(request.Language) is { } refusal)
            {
                end = new CodeRunEnd(false, TimeSpan.Zero, refusal);
            }
            else if (session.Workspace is not { } workspace)
            {
                end = new CodeRunEnd(false, TimeSpan.Zero, "the session has ended");
            }
            else
            {
                try
                {
                    end = await state.Tools.Code.RunAsync(
                        workspace,
                        request.Language,
                        request.Code,
                        TimeSpan.FromSeconds(request.TimeoutSeconds),
                        (which, chunk) => SendEventAsync(run, which == CodeOutput.Stdout ? "stdout" : "stderr", chunk),
                        _stopRuns.Token);
                }
                catch (OperationCanceledException) when (_stopRuns.IsCancellationRequested)
                {
                    end = new CodeRunEnd(false, TimeSpan.Zero, session.Ended.IsCancellationRequested ? "the session was deleted" : "the connection closed");
                }
            }

            if (!end.Finished)
            {
                await SendEventAsync(run, "error", end.Error ?? "the run failed");
            }

            await SendEndAsync(run, end, count);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _runs.TryRemove(run.InvocationId, out _);
        }
    }

    private static bool TryReadRequest(JsonElement root, out RunRequest request, out string problem)
    {
        request = default;
        JsonDocument? embedded = null;
        try
        {
            if (!root.TryGetProperty("data", out var data))
            {
                problem = "the frame has no data: send data:{method:\"run_code\", mode:\"stream\", params:{language, timeoutS, code}}";
                return false;
            }

            if (data.ValueKind == JsonValueKind.String)
            {
                try
                {
                    embedded = JsonDocument.Parse(data.GetString()!);
                    data = embedded.RootElement;
                }
                catch (JsonException)
                {
                    problem = "data is a string that is not JSON";
                    return false;
                }
            }

            if (data.ValueKind != JsonValueKind.Object)
            {
                problem = "data must be a JSON object";
                return false;
            }

            var method = data.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (method != "run_code")
            {
                problem = $"unknown method \"{Text.Clip(method)}\": this emulator streams only run_code";
                return false;
            }

            if (data.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String && mode.GetString() != "stream")
            {
                problem = $"unknown mode \"{Text.Clip(mode.GetString())}\": run_code over ws_url runs in mode \"stream\"";
                return false;
            }

            if (!data.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
            {
                problem = "run_code needs params:{language, timeoutS, code}";
                return false;
            }

            if (!parameters.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String)
            {
                problem = "run_code needs params.code, the program as a string";
                return false;
            }

            var language = parameters.TryGetProperty("language", out var l) && l.ValueKind == JsonValueKind.String && l.GetString() is { Length: > 0 } lang ? lang : "python";
            var timeout = 60;
            if (parameters.TryGetProperty("timeoutS", out var ts) && ts.ValueKind != JsonValueKind.Null)
            {
                if (ts.ValueKind != JsonValueKind.Number || !ts.TryGetDouble(out var seconds) || seconds <= 0)
                {
                    problem = "params.timeoutS must be a positive number of seconds";
                    return false;
                }

                timeout = (int)Math.Min(Math.Ceiling(seconds), MaxTimeoutSeconds);
            }

            request = new RunRequest(language, code.GetString()!, timeout);
            problem = "";
            return true;
        }
        finally
        {
            embedded?.Dispose();
        }
    }

    private ValueTask SendEventAsync(RunState run, string eventType, string text) => SendAsync(w =>
    {
        WriteHeader(w, run, "event");
        w.WriteString("eventType"u8, eventType);
        if (eventType == "error")
        {
            w.WriteStartObject("error"u8);
            w.WriteString("name"u8, "ExecutionError");
            w.WriteString("value"u8, text);
            w.WriteString("traceback"u8, "");
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("chunk"u8, text);
        }
    });

    private ValueTask SendEndAsync(RunState run, CodeRunEnd end, int executionCount) => SendAsync(w =>
    {
        WriteHeader(w, run, "end");
        w.WriteString("status"u8, end.Finished ? "finished" : "failed");
        w.WriteNumber("executionCount"u8, executionCount);
        w.WriteNumber("executionTime"u8, Math.Round(end.ExecutionTime.TotalSeconds, 6));
        if (end.Error is null)
        {
            w.WriteNull("executionError"u8);
        }
        else
        {
            w.WriteString("executionError"u8, end.Error);
        }
    });

    private static void WriteHeader(Utf8JsonWriter w, RunState run, string phase)
    {
        w.WriteString("invocationId"u8, run.InvocationId);
        w.WriteString("source"u8, run.Target);
        w.WriteString("target"u8, "SDK");
        w.WriteStartObject("data"u8);
        w.WriteString("method"u8, "run_code");
        w.WriteString("mode"u8, "stream");
        w.WriteString("phase"u8, phase);
        w.WriteNumber("seq"u8, run.NextSeq());
    }

    /// <summary>A remote error: for an invocation (<c>data.phase:"error"</c>) or, without one, for the frame that had none.</summary>
    private ValueTask SendErrorAsync(string? invocationId, string message) => SendAsync(w =>
    {
        if (invocationId is not null)
        {
            w.WriteString("invocationId"u8, invocationId);
        }

        w.WriteString("source"u8, "WEBSOCKET_SERVER");
        w.WriteString("target"u8, "SDK");
        w.WriteStartObject("data"u8);
        w.WriteString("phase"u8, "error");
        w.WriteString("error"u8, message);
    });

    /// <summary>Writes one frame: <paramref name="fill"/> writes the fields of the outer object and of an open <c>data</c> object.</summary>
    private async ValueTask SendAsync(Action<Utf8JsonWriter> fill)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, JsonOut.Options))
        {
            w.WriteStartObject();
            fill(w);
            w.WriteEndObject(); // data
            w.WriteEndObject();
        }

        try
        {
            await _sendLock.WaitAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            // The client went away; the receive loop ends the connection.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            await _sendLock.WaitAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private readonly record struct RunRequest(string Language, string Code, int TimeoutSeconds);

    private sealed class RunState(string invocationId, string target)
    {
        private int _seq;

        public string InvocationId { get; } = invocationId;

        public string Target { get; } = target;

        public int NextSeq() => Interlocked.Increment(ref _seq);
    }
}
