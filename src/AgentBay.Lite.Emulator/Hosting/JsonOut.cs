using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Hosting;

/// <summary>
/// A per-thread JSON buffer. Callers write the whole body synchronously between <see cref="Begin"/> and
/// <see cref="SendAsync"/>, which copies it into the response before awaiting, so the buffer can be reused.
/// </summary>
internal static class JsonOut
{
    /// <summary>Valid JSON without HTML-safe escaping (quotes as <c>\"</c>, non-ASCII as is), like the real gateway.</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The largest buffer a thread keeps between answers; RPC answers are a few hundred bytes.</summary>
    private const int RetainedCapacity = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static Utf8JsonWriter Begin()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        if (t_writer is null)
        {
            t_writer = new Utf8JsonWriter(buffer, Options);
        }
        else
        {
            t_writer.Reset(buffer);
        }

        return t_writer;
    }

    /// <summary>Flushes the writer and sends the buffer with a Content-Length. <paramref name="truncate"/> cuts the body in half (malformed JSON fault).</summary>
    public static Task SendAsync(HttpResponse response, int status, bool truncate = false)
    {
        var w = t_writer!;
        w.Flush();
        var span = t_buffer!.WrittenSpan;
        if (truncate)
        {
            span = span[..(span.Length / 2)];
        }

        response.StatusCode = status;
        response.ContentType = "application/json;charset=utf-8";
        response.ContentLength = span.Length;
        if (t_buffer.Capacity > RetainedCapacity)
        {
            // A large answer (a file read): hand this thread's buffer over to the write, or every pool thread would keep
            // megabytes for as long as the process lives; and write it in slices, each waiting for the socket, so the
            // server's pooled send buffers never have to hold the whole answer at once.
            var body = t_buffer.WrittenMemory[..span.Length];
            t_buffer = null;
            t_writer = null;
            return WriteInSlicesAsync(response.BodyWriter, body);
        }

        var pipe = response.BodyWriter;
        pipe.Write(span);
        var flush = pipe.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    private static async Task WriteInSlicesAsync(System.IO.Pipelines.PipeWriter pipe, ReadOnlyMemory<byte> body)
    {
        const int Slice = 64 * 1024;
        for (var start = 0; start < body.Length; start += Slice)
        {
            await pipe.WriteAsync(body.Slice(start, Math.Min(Slice, body.Length - start))).ConfigureAwait(false);
        }
    }
}
