namespace GemmaBench.Bench;

/// <summary>
/// Waits until other processes leave the CPUs alone (the machine is shared with builds), so a measurement
/// does not start while something else runs: at most 10% of the CPUs busy outside this process over 0.2 s.
/// </summary>
internal static class QuietMachine
{
    private const double BusyLimit = 0.10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static void Wait()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline && OthersBusy() > BusyLimit)
        {
        }
    }

    private static double OthersBusy()
    {
        var (busy0, total0) = MachineTicks();
        long own0 = OwnTicks();
        Thread.Sleep(200);
        var (busy1, total1) = MachineTicks();
        long own1 = OwnTicks();
        return Math.Max(0, (busy1 - busy0) - (own1 - own0)) / (double)Math.Max(1, total1 - total0);
    }

    private static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Take(8).Select(long.Parse).ToArray();
        long idle = fields[3] + fields[4];
        return (fields.Sum() - idle, fields.Sum());
    }

    private static long OwnTicks()
    {
        var text = File.ReadAllText("/proc/self/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }
}
