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
        var pipe = response.BodyWriter;
        pipe.Write(span);
        var flush = pipe.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
