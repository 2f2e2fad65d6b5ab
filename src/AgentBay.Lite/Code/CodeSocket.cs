using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace AgentBay.Lite.Code;

/// <summary>
/// One session's ws_url connection (agb-rest.md §2, §8): a <see cref="ClientWebSocket"/> opened with
/// <c>X-Access-Token</c>, carrying many runs at once told apart by invocation id, with a <c>{"type":"ping"}</c> text
/// heartbeat every 20 s. Opened on the first run; when it drops, every pending run fails with
/// <see cref="AgentBayStreamException"/> and the next run opens a new one (retrying a failed open with backoff from
/// 0.5 s to 5 s, ×1.5).
/// </summary>
internal sealed class CodeSocket(string sessionId, Uri wsUrl, string token) : IDisposable
{
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(20);
    private const int MaxConnectAttempts = 6;
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Channel<CodeEvent>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _lifetime = new();
    private Connection? _connection;
    private int _disposed;

    public string SessionId { get; } = sessionId;

    /// <summary>Starts a run and yields its events until its end event; cancelling stops the stream at once.</summary>
    public async IAsyncEnumerable<CodeEvent> RunAsync(string code, string language, int timeoutSeconds, string target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string invocationId = Guid.NewGuid().ToString("N");
        var events = Channel.CreateUnbounded<CodeEvent>(new UnboundedChannelOptions { SingleReader = true });
        Connection connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        _pending[invocationId] = events;
        try
        {
            if (connection.Closed.IsCancellationRequested)
            {
                throw Dropped(null);
            }

            await SendAsync(connection, w =>
            {
                w.WriteString("invocationId"u8, invocationId);
                w.WriteString("source"u8, "SDK");
                w.WriteString("target"u8, target);
                w.WriteStartObject("data"u8);
                w.WriteString("method"u8, "run_code");
                w.WriteString("mode"u8, "stream");
                w.WriteStartObject("params"u8);
                w.WriteString("language"u8, language);
                w.WriteNumber("timeoutS"u8, timeoutSeconds);
                w.WriteString("code"u8, code);
                w.WriteEndObject();
                w.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);

            await foreach (CodeEvent e in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
                if (e.Kind == CodeEventKind.End)
                {
                    yield break;
                }
            }
        }
        finally
        {
            _pending.TryRemove(invocationId, out _);
        }
    }

    /// <summary>Closes the connection; pending runs fail with <see cref="AgentBayStreamException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        Connection? connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            connection.Close();
        }

        FailPending(new AgentBayStreamException($"The code stream of session {SessionId} was closed: the session or its client was disposed."));
        _lifetime.Dispose();
    }

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _connection) is { Closed.IsCancellationRequested: false } open)
        {
            return open;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _connection) is { Closed.IsCancellationRequested: false } raced)
            {
                return raced;
            }

            TimeSpan backoff = TimeSpan.FromMilliseconds(500);
            for (int attempt = 1; ; attempt++)
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("X-Access-Token", token);
                socket.Options.CollectHttpResponseDetails = true;
                try
                {
                    await socket.ConnectAsync(wsUrl, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
                {
                    HttpStatusCode status = socket.HttpStatusCode;
                    socket.Dispose();
                    if (Refusal(status, ex) is { } refusal)
                    {
                        throw refusal;
                    }

                    if (attempt >= MaxConnectAttempts)
                    {
                        throw new AgentBayStreamException(
                            $"The code stream (ws_url) of session {SessionId} could not be opened after {attempt} attempts: {ex.Message}",
                            ex);
                    }

                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, (long)(backoff.Ticks * 1.5)));
                    continue;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                var connection = new Connection(socket, CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token));
                Volatile.Write(ref _connection, connection);
                _ = ReadAsync(connection);
                _ = HeartbeatAsync(connection);
                return connection;
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private AgentBayException? Refusal(HttpStatusCode status, Exception cause) => (int)status switch
    {
        401 or 403 => new AgentBayAuthenticationException(
            $"The code stream (ws_url) of session {SessionId} refused the session's access token (HTTP {(int)status}). Get the session again (GetSessionAsync) for a fresh token.",
            cause),
        404 => new SessionNotFoundException($"The code stream (ws_url) of session {SessionId} found no session (HTTP 404); it was deleted or released.", cause),
        >= 300 and < 400 => new AgentBayProtocolException(
            $"The code stream (ws_url) of session {SessionId} answered with a redirect (HTTP {(int)status}), which the SDK does not follow.", cause),
        _ => null,
    };

    /// <summary>Reads frames and routes each to its run until the socket ends; then fails every pending run.</summary>
    private async Task ReadAsync(Connection connection)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        Exception? cause = null;
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await connection.Socket.ReceiveAsync(buffer.GetMemory(8192), connection.Closing.Token).ConfigureAwait(false);
                    buffer.Advance(received.Count);
                    if (buffer.WrittenCount > MaxMessageBytes)
                    {
                        throw new AgentBayProtocolException($"The code stream of session {SessionId} sent a message larger than {MaxMessageBytes / (1024 * 1024)} MiB.");
                    }
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    cause = new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"the service closed it ({connection.Socket.CloseStatus}: {connection.Socket.CloseStatusDescription})");
                    break;
                }

                if (received.MessageType == WebSocketMessageType.Text)
                {
                    Route(buffer.WrittenSpan);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or AgentBayProtocolException)
        {
            cause = ex;
        }
        finally
        {
            Interlocked.CompareExchange(ref _connection, null, connection);
            connection.Close();
            FailPending(Dropped(cause));
        }
    }

    private AgentBayStreamException Dropped(Exception? cause) => new(
        $"The code stream (ws_url) of session {SessionId} dropped{(cause is null ? "" : ": " + cause.Message)}. The run's remaining output is lost (the program may still be running in the session); the next run reconnects.",
        cause);

    /// <summary>Delivers one server frame to its run; frames of no pending run (pushes, late frames) are dropped.</summary>
    private void Route(ReadOnlySpan<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || (Text(root, "invocationId") ?? Text(root, "requestId")) is not { } id
                || !_pending.TryGetValue(id, out Channel<CodeEvent>? events))
            {
                return;
            }

            JsonDocument? embedded = null;
            try
            {
                JsonElement data = root.TryGetProperty("data", out JsonElement d) ? d : default;
                if (data.ValueKind == JsonValueKind.String)
                {
                    embedded = JsonDocument.Parse(data.GetString()!);
                    data = embedded.RootElement;
                }

                if (data.ValueKind != JsonValueKind.Object)
                {
                    return;
                }

                string? phase = Text(data, "phase");
                if (phase == "error" || Text(data, "error") is not null && phase is null)
                {
                    events.Writer.TryComplete(new AgentBayStreamException(
                        $"The service refused the code run in session {SessionId}: {Text(data, "error") ?? Text(data, "message") ?? "(no message)"}"));
                    return;
                }

                long? seq = data.TryGetProperty("seq", out JsonElement s) && s.TryGetInt64(out long n) ? n : null;
                if (phase == "end")
                {
                    bool finished = Text(data, "status") is "finished" or "success" or "succeeded";
                    int? count = data.TryGetProperty("executionCount", out JsonElement c) && c.TryGetInt32(out int ec) ? ec : null;
                    TimeSpan? time = data.TryGetProperty("executionTime", out JsonElement t) && t.TryGetDouble(out double seconds) ? TimeSpan.FromSeconds(seconds) : null;
                    events.Writer.TryWrite(new CodeEvent(CodeEventKind.End, finished ? null : ErrorText(data, "executionError") ?? "the run failed", succeeded: finished, executionCount: count, executionTime: time, sequence: seq));
                    events.Writer.TryComplete();
                    return;
                }

                CodeEvent? e = Text(data, "eventType") switch
                {
                    "stdout" => new CodeEvent(CodeEventKind.Stdout, Text(data, "chunk") ?? string.Empty, sequence: seq),
                    "stderr" => new CodeEvent(CodeEventKind.Stderr, Text(data, "chunk") ?? string.Empty, sequence: seq),
                    "error" => new CodeEvent(CodeEventKind.Error, ErrorText(data, "error") ?? Text(data, "chunk") ?? "error", sequence: seq),
                    "result" => Result(data, seq),
                    _ => null,
                };
                if (e is not null)
                {
                    events.Writer.TryWrite(e);
                }
            }
            catch (JsonException)
            {
                // A frame whose embedded data is not JSON: nothing to deliver.
            }
            finally
            {
                embedded?.Dispose();
            }
        }
    }

    private static CodeEvent Result(JsonElement data, long? seq)
    {
        var mime = new Dictionary<string, string>(StringComparer.Ordinal);
        bool main = false;
        if (data.TryGetProperty("result", out JsonElement result) && result.ValueKind == JsonValueKind.Object)
        {
            main = result.TryGetProperty("isMainResult", out JsonElement m) && m.ValueKind == JsonValueKind.True;
            if (result.TryGetProperty("mime", out JsonElement types) && types.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty type in types.EnumerateObject())
                {
                    mime[type.Name] = type.Value.ValueKind == JsonValueKind.String ? type.Value.GetString()! : type.Value.GetRawText();
                }
            }
        }

        return new CodeEvent(CodeEventKind.Result, mime: mime.AsReadOnly(), isMainResult: main, sequence: seq);
    }

    /// <summary>An error as text: a string, or an object's <c>name: value</c> (plus its traceback).</summary>
    private static string? ErrorText(JsonElement data, string name)
    {
        if (!data.TryGetProperty(name, out JsonElement error))
        {
            return null;
        }

        if (error.ValueKind == JsonValueKind.String)
        {
            return error.GetString();
        }

        if (error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? ename = Text(error, "name");
        string? value = Text(error, "value");
        string? traceback = Text(error, "traceback");
        string head = ename is null ? value ?? "" : value is null ? ename : ename + ": " + value;
        return string.IsNullOrEmpty(traceback) ? head : head + "\n" + traceback;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The SDKs' heartbeat: a <c>{"type":"ping"}</c> text message every 20 s while the connection lives.</summary>
    private async Task HeartbeatAsync(Connection connection)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(connection.Closing.Token).ConfigureAwait(false))
            {
                await SendAsync(connection, static w => w.WriteString("type"u8, "ping"), connection.Closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or AgentBayStreamException or ObjectDisposedException)
        {
        }
    }

    private async Task SendAsync(Connection connection, Action<Utf8JsonWriter> fill, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            fill(w);
            w.WriteEndObject();
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A cancelled send would abort the socket for every run on it, so sends are not cancelled midway.
            await connection.Socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            connection.Close();
            throw Dropped(ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private void FailPending(AgentBayStreamException error)
    {
        foreach (KeyValuePair<string, Channel<CodeEvent>> run in _pending)
        {
            run.Value.Writer.TryComplete(error);
        }
    }

    /// <summary>One open socket and the token that stops its reader and heartbeat.</summary>
    private sealed class Connection(ClientWebSocket socket, CancellationTokenSource closing)
    {
        private int _closed;

        public ClientWebSocket Socket { get; } = socket;

        public CancellationTokenSource Closing { get; } = closing;

        public CancellationToken Closed => Closing.Token;

        /// <summary>Stops the reader and heartbeat and aborts the socket (idempotent).</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            try
            {
                Closing.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            Socket.Abort();
            Socket.Dispose();
        }
    }

    /// <summary>The session id; never the token.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"code stream of {SessionId}");
}
