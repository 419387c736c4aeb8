namespace GemmaBench.Tests.Tool;

/// <summary>A clock that moves only when told, in whole microseconds so elapsed times are exact.</summary>
public sealed class FakeClock : TimeProvider
{
    long microseconds;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => microseconds;

    public void Advance(double seconds) => microseconds += (long)Math.Round(seconds * 1_000_000);
}
