using System.Collections.Concurrent;

namespace AgentBay.Lite.Emulator.Faults;

/// <summary>Latency and fault settings, changeable at run time; decisions use one seeded generator.</summary>
internal sealed class Injector
{
    private readonly Lock _randomLock = new();
    private readonly ConcurrentDictionary<string, LatencyProfile> _latencyByAction = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FaultState> _faultsByAction = new(StringComparer.Ordinal);
    private Random _random;
    private volatile LatencyProfile? _latency;
    private volatile FaultState? _faults;

    // Fast path: when nothing is configured the hot path does no dictionary lookups.
    private volatile bool _anyLatency;
    private volatile bool _anyFaults;

    public Injector(int? seed) => _random = seed is { } s ? new Random(s) : new Random();

    public void Reseed(int seed)
    {
        lock (_randomLock)
        {
            _random = new Random(seed);
        }
    }

    public void SetLatency(LatencyProfile? profile, string? action)
    {
        profile?.Validate();
        if (action is null)
        {
            _latency = profile;
        }
        else if (profile is null)
        {
            _latencyByAction.TryRemove(action, out _);
        }
        else
        {
            _latencyByAction[action] = profile;
        }

        _anyLatency = _latency is not null || !_latencyByAction.IsEmpty;
    }

    public void SetFaults(FaultProfile? profile, string? action)
    {
        profile?.Validate();
        var state = profile is null ? null : new FaultState(profile);
        if (action is null)
        {
            _faults = state;
        }
        else if (state is null)
        {
            _faultsByAction.TryRemove(action, out _);
        }
        else
        {
            _faultsByAction[action] = state;
        }

        _anyFaults = _faults is not null || !_faultsByAction.IsEmpty;
    }

    public void Clear()
    {
        _latency = null;
        _faults = null;
        _latencyByAction.Clear();
        _faultsByAction.Clear();
        _anyLatency = false;
        _anyFaults = false;
    }

    public LatencyProfile? GetLatency(string? action) => action is not null && _latencyByAction.TryGetValue(action, out var p) ? p : _latency;

    public FaultProfile? GetFaults(string? action) => (action is not null && _faultsByAction.TryGetValue(action, out var s) ? s : _faults)?.Profile;

    public IReadOnlyDictionary<string, LatencyProfile> LatencyOverrides => _latencyByAction;

    public IEnumerable<KeyValuePair<string, FaultProfile>> FaultOverrides => _faultsByAction.Select(kv => new KeyValuePair<string, FaultProfile>(kv.Key, kv.Value.Profile));

    /// <summary>The delay to apply before answering this request, or zero.</summary>
    public TimeSpan NextDelay(string action)
    {
        if (!_anyLatency)
        {
            return TimeSpan.Zero;
        }

        var profile = GetLatency(action);
        if (profile is null)
        {
            return TimeSpan.Zero;
        }

        if (profile.Jitter <= TimeSpan.Zero)
        {
            return profile.Fixed;
        }

        double draw;
        lock (_randomLock)
        {
            draw = _random.NextDouble();
        }

        return profile.Fixed + TimeSpan.FromTicks((long)(profile.Jitter.Ticks * draw));
    }

    /// <summary>Decides whether this request fails, and how.</summary>
    public (FaultKind Kind, TimeSpan RetryAfter) NextFault(string action)
    {
        if (!_anyFaults)
        {
            return (FaultKind.None, TimeSpan.Zero);
        }

        var state = _faultsByAction.TryGetValue(action, out var s) ? s : _faults;
        if (state is null)
        {
            return (FaultKind.None, TimeSpan.Zero);
        }

        var p = state.Profile;
        lock (_randomLock)
        {
            if (p.MaxFaults is { } max && state.Injected >= max)
            {
                return (FaultKind.None, TimeSpan.Zero);
            }

            var draw = _random.NextDouble();
            var kind = Pick(draw, p);
            if (kind != FaultKind.None)
            {
                state.Injected++;
            }

            return (kind, p.RetryAfter);
        }
    }

    private static FaultKind Pick(double draw, FaultProfile p)
    {
        var edge = p.ConnectionResetRate;
        if (draw < edge)
        {
            return FaultKind.ConnectionReset;
        }

        edge += p.ServerErrorRate;
        if (draw < edge)
        {
            return FaultKind.ServerError;
        }

        edge += p.ServiceUnavailableRate;
        if (draw < edge)
        {
            return FaultKind.ServiceUnavailable;
        }

        edge += p.ThrottlingRate;
        if (draw < edge)
        {
            return FaultKind.Throttling;
        }

        edge += p.MalformedJsonRate;
        return draw < edge ? FaultKind.MalformedJson : FaultKind.None;
    }

    private sealed class FaultState(FaultProfile profile)
    {
        public FaultProfile Profile { get; } = profile;

        /// <summary>Guarded by the injector's random lock.</summary>
        public int Injected { get; set; }
    }
}
