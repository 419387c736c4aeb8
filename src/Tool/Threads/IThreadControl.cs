using TorchSharp;

namespace GemmaBench.Tool.Threads;

/// <summary>Reads and sets the intra-op thread count of the compute library.</summary>
public interface IThreadControl
{
    /// <summary>The count the library chose by itself for this machine, before the tool set one.</summary>
    int MachineDefault { get; }

    int Current { get; }

    void Set(int count);
}

/// <summary>libtorch's intra-op threads. The tool sets the count itself because libtorch caps
/// OMP_NUM_THREADS at the core count without saying so.</summary>
public sealed class TorchThreads : IThreadControl
{
    static readonly Lazy<int> Default = new(torch.get_num_threads);

    public int MachineDefault => Default.Value;

    public int Current => torch.get_num_threads();

    public void Set(int count)
    {
        _ = Default.Value;
        torch.set_num_threads(count);
    }
}
