using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>An in-process imitation of the Hugging Face hub on loopback: the resolve endpoint with its headers
/// (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size), large files redirected to a CDN on another host,
/// Range requests, and faults to inject. Every response closes its connection, which keeps byte counts exact.</summary>
sealed class FakeHub : IDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    readonly TcpListener hub;
    readonly TcpListener cdn;
    readonly CancellationTokenSource stop = new();
    readonly Dictionary<string, HubFile> files = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, long> bytesServed = new();

    public FakeHub(string repoId)
    {
        RepoId = repoId;
        hub = Listen(IPAddress.Loopback);
        // 127.0.0.2 is loopback too on Linux and makes the CDN a different host, as it is on the real hub.
        cdn = Listen(OperatingSystem.IsLinux() ? IPAddress.Parse("127.0.0.2") : IPAddress.Loopback);
        _ = AcceptAsync(hub, isCdn: false);
        _ = AcceptAsync(cdn, isCdn: true);
    }

    public string RepoId { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)hub.LocalEndpoint).Port}");

    public string CdnHost => ((IPEndPoint)cdn.LocalEndpoint).ToString();

    /// <summary>When set, the hub answers 401 to requests without "Bearer {RequiredToken}".</summary>
    public string? RequiredToken { get; set; }

    /// <summary>What X-Repo-Commit says (a misbehaving hub may send anything).</summary>
    public string CommitHeader { get; set; } = Commit;

    public ConcurrentQueue<Request> Requests { get; } = new();

    public Faults Faults { get; } = new();

    public void AddFile(string name, byte[] content, bool large) => files[name] = new HubFile(content, large);

    public long BytesServed(string file) => bytesServed.GetValueOrDefault(file);

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string GitBlobId(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    public string Etag(string file) => files[file].Large ? Sha256(files[file].Content) : GitBlobId(files[file].Content);

    public void Dispose()
    {
        stop.Cancel();
        hub.Stop();
        cdn.Stop();
    }

    static TcpListener Listen(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return listener;
    }

    async Task AcceptAsync(TcpListener listener, bool isCdn)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client, isCdn));
        }
    }

    async Task ServeAsync(TcpClient client, bool isCdn)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                Request request = await ReadRequestAsync(stream, isCdn);
                Requests.Enqueue(request);
                await new FakeHubResponder(this, stream, request, stop.Token).RespondAsync();
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The client went away: nothing to answer.
            }
        }
    }

    static async Task<Request> ReadRequestAsync(NetworkStream stream, bool isCdn)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
                throw new IOException("request ended early");
            head.Add(one[0]);
        }
        string[] lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] first = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new Request(first[0], Uri.UnescapeDataString(first[1]), isCdn, headers);
    }

    internal HubFile? Find(string name) => files.GetValueOrDefault(name);

    internal HubFile? FindBySha256(string sha256) =>
        files.Values.FirstOrDefault(file => file.Large && Sha256(file.Content) == sha256);

    internal string NameOf(HubFile file) => files.First(entry => entry.Value == file).Key;

    internal void CountServed(string file, long bytes) => bytesServed.AddOrUpdate(file, bytes, (_, old) => old + bytes);

    internal sealed record HubFile(byte[] Content, bool Large);

    public sealed record Request(string Method, string Path, bool ToCdn, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Authorization => Headers.GetValueOrDefault("Authorization");
        public string? Range => Headers.GetValueOrDefault("Range");
    }
}

/// <summary>Faults the fake hub injects, each for a number of requests to one file ("*" for any).</summary>
sealed class Faults
{
    readonly object gate = new();
    readonly List<Fault> pending = [];

    public void Status(string file, int status, int times = 1, string? errorCode = null) =>
        Add(new Fault(file, times) { Status = status, ErrorCode = errorCode });

    public void DropAfter(string file, int bytes, int times = 1) => Add(new Fault(file, times) { DropAfter = bytes });

    public void StallAfter(string file, int bytes, int times = 1) => Add(new Fault(file, times) { StallAfter = bytes });

    public void Corrupt(string file, int times = 1) => Add(new Fault(file, times) { Corrupt = true });

    public void Trickle(string file, int chunks, TimeSpan pause) =>
        Add(new Fault(file, int.MaxValue) { TrickleChunks = chunks, TricklePause = pause });

    public void Clear()
    {
        lock (gate)
            pending.Clear();
    }

    internal Fault? Take(string file, bool bodyFault)
    {
        lock (gate)
        {
            Fault? fault = pending.FirstOrDefault(f => (f.File == file || f.File == "*") && f.IsBodyFault == bodyFault);
            if (fault != null && --fault.Times == 0)
                pending.Remove(fault);
            return fault;
        }
    }

    void Add(Fault fault)
    {
        lock (gate)
            pending.Add(fault);
    }

    internal sealed class Fault(string file, int times)
    {
        public string File { get; } = file;
        public int Times { get; set; } = times;
        public int? Status { get; init; }
        public string? ErrorCode { get; init; }
        public int? DropAfter { get; init; }
        public int? StallAfter { get; init; }
        public bool Corrupt { get; init; }
        public int TrickleChunks { get; init; }
        public TimeSpan TricklePause { get; init; }
        public bool IsBodyFault => Status == null;
    }
}
