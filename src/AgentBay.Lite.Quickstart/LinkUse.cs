using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Quickstart;

/// <summary>
/// What the tour does with each kind of link, with nothing but <see cref="HttpClient"/>, <see cref="ClientWebSocket"/> and
/// <see cref="JsonDocument"/>, so the tour stays NativeAOT.
/// </summary>
internal static class LinkUse
{
    /// <summary>A WebSocket echo service for any python3, standard library only (a session image need not have more).</summary>
    public const string EchoServerScript = """
        import base64, hashlib, socket, struct, sys, threading

        def read_exact(conn, n):
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise EOFError
                data += chunk
            return data

        def serve(conn):
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                keys = [l.split(b":", 1)[1].strip() for l in request.split(b"\r\n") if l.lower().startswith(b"sec-websocket-key:")]
                if not keys:
                    conn.sendall(b"HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                accept = base64.b64encode(hashlib.sha1(keys[0] + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
                conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
                try:
                    while True:
                        first, second = read_exact(conn, 2)
                        length = second & 0x7F
                        if length == 126:
                            length = struct.unpack(">H", read_exact(conn, 2))[0]
                        elif length == 127:
                            length = struct.unpack(">Q", read_exact(conn, 8))[0]
                        mask = read_exact(conn, 4)
                        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(conn, length)))
                        opcode = first & 0x0F
                        if opcode == 8:
                            conn.sendall(b"\x88\x00")
                            return
                        if opcode == 1:
                            reply = b"echo: " + payload
                            header = bytes([0x81, len(reply)]) if len(reply) < 126 else bytes([0x81, 126]) + struct.pack(">H", len(reply))
                            conn.sendall(header + reply)
                except (EOFError, OSError):
                    return

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", int(sys.argv[1])))
        listener.listen()
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """;

    /// <summary>GETs the page behind an HTTPS link and returns its status and first non-empty line.</summary>
    public static async Task<string> FirstLineAsync(Uri link, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.GetAsync(link, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        string first = body.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? "(empty)";
        return $"HTTP {(int)response.StatusCode}: {first}";
    }

    /// <summary>Sends one text message through a WSS link and returns the answer.</summary>
    public static async Task<string> EchoAsync(Uri link, string message, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(link, cancellationToken);
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        string answer = await ReceiveTextAsync(socket, cancellationToken);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
        return answer;
    }

    /// <summary>Asks the browser behind a CDP link for its version (<c>Browser.getVersion</c>) and returns its product name.</summary>
    public static async Task<string> BrowserVersionAsync(Uri link, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(link, cancellationToken);
        await socket.SendAsync("""{"id":1,"method":"Browser.getVersion"}"""u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        while (true)
        {
            // Events may come first; the answer is the message with our id.
            using JsonDocument message = JsonDocument.Parse(await ReceiveTextAsync(socket, cancellationToken));
            if (message.RootElement.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == 1)
            {
                string product = message.RootElement.GetProperty("result").GetProperty("product").GetString() ?? "?";
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
                return product;
            }
        }
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new TourException("the service closed the WebSocket without answering.");
            }

            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
            }
        }
    }
}
