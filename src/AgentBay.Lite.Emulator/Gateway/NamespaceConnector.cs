using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AgentBay.Lite.Emulator.Gateway;

/// <summary>Why a connection to a port inside a session could not be made.</summary>
internal enum LinkConnectFailure
{
    /// <summary>The session's loopback refused the connection: no service listens on the port.</summary>
    NothingListening,

    /// <summary>The session's namespace is gone (its processes ended).</summary>
    SessionEnded,

    /// <summary>The emulator may not enter the session's network namespace (it needs root / CAP_SYS_ADMIN).</summary>
    NotPermitted,

    /// <summary>Anything else; the inner exception says what.</summary>
    Other,
}

/// <summary>A connection to a port inside a session failed; <see cref="Failure"/> says why.</summary>
internal sealed class LinkConnectException : Exception
{
    public LinkConnectException(LinkConnectFailure failure, int port, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Port = port;
    }

    public LinkConnectFailure Failure { get; }

    public int Port { get; }
}

/// <summary>
/// Opens TCP connections to <c>127.0.0.1:PORT</c> (or <c>[::1]:PORT</c>) inside the network namespace of a host
/// process, or on the host's own loopback when no process is given.
/// </summary>
/// <remarks>
/// <para>
/// Why this way: a socket belongs to the network namespace that was current <em>for the creating thread</em> when
/// <c>socket(2)</c> ran, and stays there for its whole life, while the network namespace is a per-thread attribute
/// that <c>setns(2)</c> may change inside a multi-threaded process. So one dedicated thread joins the session's
/// namespace, creates the socket, and returns to the host namespace; the connect and all I/O then run on ordinary
/// thread-pool threads with the normal async socket machinery. That costs two system calls per new connection
/// (about 10 µs) and nothing per byte, needs no helper process per session that must be started, supervised and
/// killed, and no Unix-socket hop that would copy every byte twice. It needs root (CAP_SYS_ADMIN over the
/// namespace), which the sandbox needs anyway.
/// </para>
/// <para>
/// Safety: only the dedicated thread ever changes namespace, and it runs nothing but this loop. Should the switch
/// back fail (the kernel gives no reason it would, short of resource exhaustion) that thread is retired at once —
/// it exits instead of serving further requests — and a fresh thread takes over, so no thread ever works in the
/// wrong namespace.
/// </para>
/// </remarks>
internal sealed class NamespaceConnector : IDisposable
{
    private readonly Lock _gate = new();
    private NamespaceThread? _thread;
    private bool _disposed;

    /// <summary>Connects to <paramref name="port"/> on the loopback of the network namespace of <paramref name="namespacePid"/>.</summary>
    /// <param name="namespacePid">A host PID inside the session's namespaces; null for the host's loopback.</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected socket (the caller owns it).</returns>
    /// <exception cref="LinkConnectException">Refused (nothing listening), namespace gone, not permitted, or another failure.</exception>
    public async ValueTask<Socket> ConnectAsync(int? namespacePid, int port, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);

        var (v4, v6) = namespacePid is { } pid
            ? await GetThread().CreateSocketsAsync(pid, port).ConfigureAwait(false)
            : CreateSockets();

        try
        {
            if (await TryConnectAsync(v4, IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false))
            {
                v6?.Dispose();
                return v4;
            }

            // Refused on 127.0.0.1: services bound to "localhost" may listen on ::1 only (Node does this).
            if (v6 is not null && await TryConnectAsync(v6, IPAddress.IPv6Loopback, port, cancellationToken).ConfigureAwait(false))
            {
                v4.Dispose();
                return v6;
            }
        }
        catch (SocketException ex)
        {
            v4.Dispose();
            v6?.Dispose();
            throw new LinkConnectException(LinkConnectFailure.Other, port, $"Connecting to port {port} failed: {ex.SocketErrorCode}.", ex);
        }
        catch
        {
            v4.Dispose();
            v6?.Dispose();
            throw;
        }

        v4.Dispose();
        v6?.Dispose();
        throw new LinkConnectException(LinkConnectFailure.NothingListening, port, $"Nothing is listening on port {port}.");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _thread?.Stop();
            _thread = null;
        }
    }

    private static async ValueTask<bool> TryConnectAsync(Socket socket, IPAddress address, int port, CancellationToken cancellationToken)
    {
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
            socket.NoDelay = true;
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            return false;
        }
    }

    /// <summary>Creates an IPv4 and (when the namespace has IPv6) an IPv6 stream socket in the current thread's namespace.</summary>
    private static (Socket V4, Socket? V6) CreateSockets()
    {
        var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Socket? v6 = null;
        if (Socket.OSSupportsIPv6)
        {
            try
            {
                v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (SocketException)
            {
                // IPv6 switched off: 127.0.0.1 is the only loopback then.
            }
        }

        return (v4, v6);
    }

    private NamespaceThread GetThread()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is null || _thread.IsRetired)
            {
                _thread = new NamespaceThread();
            }

            return _thread;
        }
    }

    /// <summary>The one thread that enters namespaces; it creates sockets there and nothing else.</summary>
    private sealed class NamespaceThread
    {
        private readonly Queue<Request> _requests = new();
        private bool _stopped;
        private volatile bool _retired;

        public NamespaceThread()
        {
            var thread = new Thread(Run) { IsBackground = true, Name = "link-gateway netns" };
            thread.Start();
        }

        public bool IsRetired => _retired;

        public Task<(Socket V4, Socket? V6)> CreateSocketsAsync(int pid, int port)
        {
            var request = new Request(pid, port);
            lock (_requests)
            {
                if (_stopped)
                {
                    request.Result.TrySetException(new LinkConnectException(LinkConnectFailure.Other, port, "The namespace connector is stopping; try again."));
                }
                else
                {
                    _requests.Enqueue(request);
                    Monitor.Pulse(_requests);
                }
            }

            return request.Result.Task;
        }

        public void Stop()
        {
            lock (_requests)
            {
                _stopped = true;
                Monitor.Pulse(_requests);
            }
        }

        private Request? Next()
        {
            lock (_requests)
            {
                while (_requests.Count == 0 && !_stopped)
                {
                    Monitor.Wait(_requests);
                }

                return _requests.TryDequeue(out var request) ? request : null;
            }
        }

        private void Run()
        {
            // The namespace this thread starts in is the one it must always come back to.
            var home = NetworkNamespaceNative.OpenNamespace("/proc/thread-self/ns/net");
            if (home < 0)
            {
                Retire(new LinkConnectException(LinkConnectFailure.Other, 0, $"Cannot open this process's own network namespace (errno {Marshal.GetLastPInvokeError()})."));
                return;
            }

            try
            {
                while (Next() is { } request)
                {
                    if (!Serve(request, home))
                    {
                        Retire(new LinkConnectException(LinkConnectFailure.Other, request.Port, "The namespace connector had to restart; try again."));
                        return;
                    }
                }

                Retire(new LinkConnectException(LinkConnectFailure.Other, 0, "The namespace connector is stopping; try again."));
            }
            finally
            {
                NetworkNamespaceNative.Close(home);
            }
        }

        /// <summary>Serves one request; returns false when the thread could not return home and must retire.</summary>
        private static bool Serve(Request request, int home)
        {
            var target = NetworkNamespaceNative.OpenNamespace($"/proc/{request.Pid}/ns/net");
            if (target < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                request.Result.TrySetException(errno is NetworkNamespaceNative.ENOENT or NetworkNamespaceNative.ESRCH
                    ? new LinkConnectException(LinkConnectFailure.SessionEnded, request.Port, "The session's sandbox has ended.")
                    : new LinkConnectException(LinkConnectFailure.Other, request.Port, $"Cannot open the session's network namespace (errno {errno})."));
                return true;
            }

            try
            {
                if (NetworkNamespaceNative.SetNs(target, NetworkNamespaceNative.CloneNewNet) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    request.Result.TrySetException(errno == NetworkNamespaceNative.EPERM
                        ? new LinkConnectException(LinkConnectFailure.NotPermitted, request.Port, "The emulator may not enter the session's network namespace; run it as root.")
                        : new LinkConnectException(LinkConnectFailure.Other, request.Port, $"Cannot enter the session's network namespace (errno {errno})."));
                    return true;
                }

                try
                {
                    request.Result.TrySetResult(CreateSockets());
                }
                catch (SocketException ex)
                {
                    request.Result.TrySetException(new LinkConnectException(LinkConnectFailure.Other, request.Port, $"Cannot create a socket in the session ({ex.SocketErrorCode}).", ex));
                }

                return NetworkNamespaceNative.SetNs(home, NetworkNamespaceNative.CloneNewNet) == 0;
            }
            finally
            {
                NetworkNamespaceNative.Close(target);
            }
        }

        private void Retire(LinkConnectException reason)
        {
            _retired = true;
            lock (_requests)
            {
                _stopped = true;
                while (_requests.TryDequeue(out var pending))
                {
                    pending.Result.TrySetException(reason);
                }
            }
        }

        private sealed record Request(int Pid, int Port)
        {
            public TaskCompletionSource<(Socket V4, Socket? V6)> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
