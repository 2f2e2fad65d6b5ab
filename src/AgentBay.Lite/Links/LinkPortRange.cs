namespace AgentBay.Lite;

/// <summary>
/// The ports in a session that links may be requested for (<see cref="AgentBayOptions.LinkPorts"/>): AgentBay opens
/// <see cref="Default"/> (30100–30199) to every account, and more on request. The SDK checks a
/// <see cref="LinkRequest"/>'s port against it before sending anything, so a typo fails at once with a message that
/// names the setting instead of a round trip; the service still refuses ports that are not open for the account.
/// </summary>
public sealed record LinkPortRange
{
    /// <summary>The lowest TCP port.</summary>
    internal const int LowestPort = 1;

    /// <summary>The highest TCP port.</summary>
    internal const int HighestPort = 65535;

    /// <summary>Creates a range.</summary>
    /// <param name="min">The lowest port allowed, 1–65535.</param>
    /// <param name="max">The highest port allowed, <paramref name="min"/>–65535.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not a TCP port, or <paramref name="max"/> is below <paramref name="min"/>.</exception>
    public LinkPortRange(int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, LowestPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(min, HighestPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, HighestPort);
        Min = min;
        Max = max;
    }

    /// <summary>30100–30199, the ports AgentBay opens to every account.</summary>
    public static LinkPortRange Default { get; } = new(30100, 30199);

    /// <summary>Every TCP port: the SDK checks nothing and leaves the decision to the service.</summary>
    public static LinkPortRange Any { get; } = new(LowestPort, HighestPort);

    /// <summary>The lowest port allowed.</summary>
    public int Min { get; }

    /// <summary>The highest port allowed.</summary>
    public int Max { get; }

    /// <summary>Whether <paramref name="port"/> is in the range.</summary>
    /// <param name="port">The port.</param>
    /// <returns><see langword="true"/> when <see cref="Min"/> ≤ <paramref name="port"/> ≤ <see cref="Max"/>.</returns>
    public bool Contains(int port) => port >= Min && port <= Max;

    /// <summary>Returns <c>MIN-MAX</c>, e.g. <c>30100-30199</c>.</summary>
    public override string ToString() => $"{Min}-{Max}";
}
