using System.Buffers;
using System.Text;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>One parsed RPC request: the merged query and form fields and its action. Also the request's operation for fault injection.</summary>
internal sealed class RpcRequest(RequestFields fields, string? rawAction, string? action) : IOperationFeature
{
    public RequestFields Fields { get; } = fields;

    /// <summary>The <c>Action</c> field as sent, or null when missing.</summary>
    public string? RawAction { get; } = rawAction;

    /// <summary>The canonical action name, or null when missing or unknown.</summary>
    public string? Action { get; } = action;

    public string Operation => Action ?? RpcActionNames.Unknown;

    public bool IsKnownOperation => Action is not null;

    public string? this[string name] => Fields[name];
}

/// <summary>
/// The first step of the RPC pipeline: checks the method, reads the query and the form body into an
/// <see cref="RpcRequest"/> feature, or answers the envelope error that says what was wrong with the HTTP request.
/// </summary>
internal sealed class RpcRequestReader(RequestDelegate next, EmulatorState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        // POST only: a GET can be made by any page (an image, a link), and every SDK posts its actions.
        if (!HttpMethods.IsPost(request.Method))
        {
            response.Headers.Allow = "POST";
            await RpcEnvelope.ErrorAsync(response, 405, "MethodNotAllowed", $"The method {Text.Clip(request.Method)} is not allowed: RPC actions are POST / with the fields in a form body.");
            return;
        }

        var fields = new RequestFields();
        if (request.QueryString.Value is { Length: > 1 } query && ParseQuery(fields, query) is { } queryError)
        {
            await RpcEnvelope.ErrorAsync(response, 400, "MalformedQuery", queryError);
            return;
        }

        fields.BeginBody();
        if (await ReadFormAsync(context, fields) is { } bodyError)
        {
            await RpcEnvelope.ErrorAsync(response, bodyError.Status, bodyError.Code, bodyError.Message);
            return;
        }

        var rawAction = fields["Action"];
        if (state.LogRequests)
        {
            Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {request.Method} {rawAction ?? "(no Action)"} session={fields["SessionId"] ?? "-"}");
        }

        var rpc = new RpcRequest(fields, rawAction, RpcActionNames.Find(rawAction));
        context.Features.Set(rpc);
        context.Features.Set<IOperationFeature>(rpc);
        await next(context);
    }

    private static string? ParseQuery(RequestFields fields, string query)
    {
        var chars = query.AsSpan(1);
        var max = Encoding.UTF8.GetMaxByteCount(chars.Length);
        byte[]? rented = null;
        var bytes = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(chars, bytes);
            return fields.Add(bytes[..n], "query string");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private readonly record struct BodyError(int Status, string Code, string Message);

    private async ValueTask<BodyError?> ReadFormAsync(HttpContext context, RequestFields fields)
    {
        var request = context.Request;
        var limit = state.MaxRequestBodyBytes;
        if (request.ContentLength is { } declared && declared > limit)
        {
            return TooLarge(limit);
        }

        if (request.ContentLength == 0)
        {
            return null;
        }

        var contentType = request.ContentType ?? string.Empty;
        if (!contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            // Only refuse when there is a body to misread.
            var peek = await request.BodyReader.ReadAsync(context.RequestAborted);
            var empty = peek.Buffer.IsEmpty && peek.IsCompleted;
            request.BodyReader.AdvanceTo(peek.Buffer.Start);
            if (!empty)
            {
                return new BodyError(415, "UnsupportedMediaType", contentType.Length == 0
                    ? "The body has no Content-Type: send it as application/x-www-form-urlencoded."
                    : $"The body must be application/x-www-form-urlencoded, not \"{Text.Clip(contentType)}\".");
            }

            return null;
        }

        var reader = request.BodyReader;
        var keySeen = RpcKey.Matches(RpcKey.FromHeader(request), state.ApiKey);
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return TooLarge(limit);
            }

            // Whoever lacks the key may make the emulator hold only a small body: past that, the key must be among the
            // fields read so far (the SDKs' generated models sort fields by name, so a big Args may precede it).
            if (!keySeen && buffer.Length > UnauthenticatedBodyBytes)
            {
                keySeen = HasKey(buffer);
                if (!keySeen)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return new BodyError(400, RpcEnvelope.NotLoginCode, $"{RpcEnvelope.NotLoginMessage} (no valid key in the first {UnauthenticatedBodyBytes / 1024} KiB of the body).");
                }
            }

            if (result.IsCompleted)
            {
                var error = ParseBody(fields, buffer);
                reader.AdvanceTo(buffer.End);
                return error is null ? null : new BodyError(400, "MalformedForm", error);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>How much of a body is read before the key must have been seen.</summary>
    internal const int UnauthenticatedBodyBytes = 256 * 1024;

    private bool HasKey(ReadOnlySequence<byte> buffer)
    {
        // Only whole fields: up to the last '&'.
        var bytes = buffer.ToArray();
        var end = bytes.AsSpan().LastIndexOf((byte)'&');
        var fields = new RequestFields();
        return end > 0 && fields.Add(bytes.AsSpan(0, end), "form body") is null && RpcKey.Matches(fields["Authorization"], state.ApiKey);
    }

    private static string? ParseBody(RequestFields fields, ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            return fields.Add(buffer.FirstSpan, "form body");
        }

        var length = (int)buffer.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.CopyTo(rented);
            return fields.Add(rented.AsSpan(0, length), "form body");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static BodyError TooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"The request body exceeds the emulator's limit of {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes.");
}
