using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using AgentBay.Lite.Emulator.Gateway;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>A CDP command failed (the browser answered with an error, or the connection went away).</summary>
internal sealed class CdpException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A small Chrome DevTools Protocol client the emulator itself uses (server side) to talk to a session's browser:
/// one WebSocket to the browser endpoint inside the session's network namespace, commands with ids, and events
/// handed to a callback. JSON is read with <see cref="JsonDocument"/> and written with <see cref="Utf8JsonWriter"/>,
/// so nothing here needs reflection.
/// </summary>
internal sealed class CdpConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly Func<string, JsonElement, string?, ValueTask> _onEvent;
    private Task _reader = Task.CompletedTask;
    private int _nextId;

    private CdpConnection(ClientWebSocket socket, HttpMessageInvoker invoker, Func<string, JsonElement, string?, ValueTask> onEvent)
    {
        _socket = socket;
        _invoker = invoker;
        _onEvent = onEvent;
    }

    /// <summary>Completes when the connection has closed (the browser went away or it was disposed).</summary>
    public Task Completion => _reader;

    /// <summary>Connects to a browser's DevTools endpoint on the loopback of a session.</summary>
    /// <param name="connector">Opens sockets inside session namespaces.</param>
    /// <param name="namespacePid">A host PID in the session's namespaces; null when the session runs on the host.</param>
    /// <param name="port">The DevTools port.</param>
    /// <param name="path">The browser endpoint path, <c>/devtools/browser/{id}</c>.</param>
    /// <param name="onEvent">Called for every event: method, params, and the flat-mode session id (or null).</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static async Task<CdpConnection> ConnectAsync(NamespaceConnector connector, int? namespacePid, int port, string path,
        Func<string, JsonElement, string?, ValueTask> onEvent, CancellationToken cancellationToken)
    {
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) => new NetworkStream(await connector.ConnectAsync(namespacePid, port, ct).ConfigureAwait(false), ownsSocket: true),
        });
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), invoker, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or LinkConnectException)
        {
            socket.Dispose();
            invoker.Dispose();
            throw new CdpException("Cannot reach the session's browser: " + ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            invoker.Dispose();
            throw;
        }

        var connection = new CdpConnection(socket, invoker, onEvent);
        connection._reader = connection.ReadLoopAsync();
        return connection;
    }

    /// <summary>Sends a command and waits for its answer.</summary>
    /// <param name="method">The CDP method, e.g. <c>Page.navigate</c>.</param>
    /// <param name="writeParams">Writes the members of <c>params</c> (null for none).</param>
    /// <param name="sessionId">The flat-mode session of an attached target, or null for the browser.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The <c>result</c> object (cloned, safe to keep).</returns>
    /// <exception cref="CdpException">The browser answered with an error or the connection closed.</exception>
    public async Task<JsonElement> SendAsync(string method, Action<Utf8JsonWriter>? writeParams, string? sessionId, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("id"u8, id);
                w.WriteString("method"u8, method);
                if (sessionId is not null)
                {
                    w.WriteString("sessionId"u8, sessionId);
                }

                w.WriteStartObject("params"u8);
                writeParams?.Invoke(w);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                throw new CdpException("The connection to the session's browser closed.", ex);
            }
            finally
            {
                _sendLock.Release();
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
            try
            {
                return await answer.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CdpException("The connection to the session's browser closed.");
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a command without waiting for its answer (input events, frame acknowledgements).</summary>
    public void Post(string method, Action<Utf8JsonWriter>? writeParams, string? sessionId) =>
        _ = SendAsync(method, writeParams, sessionId, CancellationToken.None).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        _closed.Cancel();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Abort();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _invoker.Dispose();
        _sendLock.Dispose();
        _closed.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(64 * 1024), _closed.Token).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                try
                {
                    await DispatchAsync(buffer.WrittenMemory).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                    // A message not shaped as the protocol says: skip it.
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The browser went away or we are closing; pending commands fail below.
        }
        finally
        {
            if (!_closed.IsCancellationRequested)
            {
                await _closed.CancelAsync().ConfigureAwait(false);
            }

            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new CdpException("The connection to the session's browser closed."));
            }
        }
    }

    private async ValueTask DispatchAsync(ReadOnlyMemory<byte> message)
    {
        using var doc = JsonDocument.Parse(message);
        var root = doc.RootElement;
        if (root.TryGetProperty("id"u8, out var idElement) && idElement.TryGetInt32(out var id))
        {
            if (_pending.TryGetValue(id, out var answer))
            {
                if (root.TryGetProperty("error"u8, out var error))
                {
                    var text = error.TryGetProperty("message"u8, out var m) ? m.GetString() : error.GetRawText();
                    answer.TrySetException(new CdpException("The browser refused the command: " + text));
                }
                else
                {
                    answer.TrySetResult(root.TryGetProperty("result"u8, out var r) ? r.Clone() : default);
                }
            }

            return;
        }

        if (root.TryGetProperty("method"u8, out var method) && method.GetString() is { } name)
        {
            var parameters = root.TryGetProperty("params"u8, out var p) ? p : default;
            var sessionId = root.TryGetProperty("sessionId"u8, out var s) ? s.GetString() : null;
            await _onEvent(name, parameters, sessionId).ConfigureAwait(false);
        }
    }
}
