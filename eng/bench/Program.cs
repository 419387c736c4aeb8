// INT4 kernel benchmark (not part of the test run). Usage:
//   dotnet run -c Release --project eng/bench -- [--threads 1,2] [--model 270m|1b|all] [--omp-passive] [--quick]
//     [--only memory|decode|prefill|interleaved|load] [--shape KxN] [--rows 55] [--kernels managed,int4pack,bf16,f32]
//     (prefill: --kernels dequantize,dequant+bf16,managed,auto,int4pack,bf16)
// Prints one line per (shape, kernel, threads): median µs per product and GB/s of weights read.
using GemmaBench.Bench;
using GemmaBench.Quant;

var options = BenchOptions.Parse(args);
if (options.OmpPassive)
    OpenMpThreads.PreferPassiveWaiting();
Console.WriteLine($"# OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset)"}");
bool Run(string part) => options.Only == "all" || options.Only == part;

var bench = new KernelBench(options);
if (Run("memory"))
    foreach (int threads in options.Threads)
        foreach (bool huge in new[] { false, true })
            Console.WriteLine($"memory read  threads={threads}  {(huge ? "2 MiB" : "4 KiB")} pages  " +
                $"{MemoryBandwidth.Measure(threads, huge):F1} GB/s");
if (Run("decode"))
    foreach (var (model, shapes) in Shapes.Models(options.Model))
        foreach (var (k, n) in shapes.Where(s => options.Includes(s.K, s.N)))
            foreach (int threads in options.Threads)
                bench.Decode(model, k, n, threads);
if (Run("prefill"))
    foreach (var (model, shapes) in Shapes.Models(options.Model))
        foreach (var (k, n) in shapes.Where(s => s.N != 262144 && options.Includes(s.K, s.N)))
            foreach (int threads in options.Threads)
                bench.Prefill(model, k, n, threads, options.Rows);
if (Run("interleaved"))
    foreach (int threads in options.Threads)
        foreach (int torchThreads in new[] { 1, threads }.Distinct())
            bench.Interleaved(threads, torchThreads);
if (Run("load"))
    foreach (var (model, shapes) in Shapes.Models(options.Model))
        LoadBench.Run(model, shapes, options.Threads.Max());
