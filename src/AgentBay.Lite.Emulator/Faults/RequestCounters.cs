using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace AgentBay.Lite.Emulator.Faults;

/// <summary>Per-operation request counters, keyed by the operation name a wire face assigns (lock-free).</summary>
internal sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);

    public void Increment(string operation) =>
        Interlocked.Increment(ref _counts.GetOrAdd(operation, static _ => new StrongBox<long>()).Value);

    public long Get(string operation) => _counts.TryGetValue(operation, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>The non-zero counters.</summary>
    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (operation, box) in _counts)
        {
            var n = Interlocked.Read(ref box.Value);
            if (n != 0)
            {
                result[operation] = n;
            }
        }

        return result;
    }

    public void Reset()
    {
        foreach (var box in _counts.Values)
        {
            Interlocked.Exchange(ref box.Value, 0);
        }
    }
}
