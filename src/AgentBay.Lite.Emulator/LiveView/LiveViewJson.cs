using System.Buffers;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>Small JSON objects written with <see cref="Utf8JsonWriter"/> (no reflection, so NativeAOT-safe).</summary>
internal static class LiveViewJson
{
    /// <summary>Writes one object whose members <paramref name="writeMembers"/> writes.</summary>
    public static ReadOnlyMemory<byte> Object(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            writeMembers(w);
            w.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }
}
