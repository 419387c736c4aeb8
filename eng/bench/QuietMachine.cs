namespace GemmaBench.Bench;

/// <summary>
/// Keeps measurements away from other processes' work (the machine is shared with builds): waits until at
/// most 10% of the CPUs are busy outside this process, and tells whether a measurement stayed that quiet.
/// </summary>
internal static class QuietMachine
{
    private const double BusyLimit = 0.10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public readonly record struct Snapshot(long Busy, long Total, long Own);

    public static void Wait()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var before = Take();
            Thread.Sleep(200);
            if (OthersBusy(before) <= BusyLimit)
                return;
        }
    }

    /// <summary>Repeats the measurement until it ran on a quiet machine (at most 3 tries, the last counts).</summary>
    public static T Measure<T>(Func<T> measure)
    {
        for (int attempt = 1; ; attempt++)
        {
            Wait();
            var before = Take();
            var result = measure();
            if (attempt == 3 || OthersBusy(before) <= BusyLimit)
                return result;
        }
    }

    public static Snapshot Take()
    {
        if (!OperatingSystem.IsLinux())
            return default;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Take(8).Select(long.Parse).ToArray();
        long idle = fields[3] + fields[4];
        var own = File.ReadAllText("/proc/self/stat");
        var ownFields = own[(own.LastIndexOf(')') + 2)..].Split(' ');
        return new(fields.Sum() - idle, fields.Sum(), long.Parse(ownFields[11]) + long.Parse(ownFields[12]));
    }

    /// <summary>The share of all CPUs' time since the snapshot that other processes used.</summary>
    public static double OthersBusy(Snapshot before)
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        var now = Take();
        long others = now.Busy - before.Busy - (now.Own - before.Own);
        return Math.Max(0, others) / (double)Math.Max(1, now.Total - before.Total);
    }
}
