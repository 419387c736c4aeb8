using System.Net.Sockets;
using System.Text;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>Answers one request to the fake hub or its CDN, applying any fault queued for the file.</summary>
sealed class FakeHubResponder(FakeHub hub, NetworkStream stream, FakeHub.Request request, CancellationToken stop)
{
    public async Task RespondAsync()
    {
        if (request.ToCdn)
        {
            FakeHub.HubFile? blob = hub.FindBySha256(request.Path.Split('?')[0].Replace("/cdn/", ""));
            if (blob == null)
                await HeadersAsync(404, []);
            else
                await BodyAsync(hub.NameOf(blob), blob, []);
            return;
        }

        if (hub.RequiredToken != null && request.Authorization != "Bearer " + hub.RequiredToken)
        {
            await HeadersAsync(401, [("X-Error-Message", "Invalid credentials in Authorization header")]);
            return;
        }
        string[] parts = request.Path.TrimStart('/').Split('/', 5);
        if (parts.Length < 5 || parts[2] != "resolve" || $"{parts[0]}/{parts[1]}" != hub.RepoId)
        {
            await HeadersAsync(401, [("X-Error-Code", "RepoNotFound")]);
            return;
        }
        if (parts[3] != "main" && parts[3] != FakeHub.Commit)
        {
            await HeadersAsync(404, [("X-Error-Code", "RevisionNotFound")]);
            return;
        }
        string name = parts[4];
        if (hub.Find(name) is not { } file)
        {
            await HeadersAsync(404, [("X-Error-Code", "EntryNotFound")]);
            return;
        }
        if (hub.Faults.Take(name, bodyFault: false) is { } fault)
        {
            await HeadersAsync(fault.Status!.Value, fault.ErrorCode == null ? [] : [("X-Error-Code", fault.ErrorCode)]);
            return;
        }

        var common = new List<(string, string)> { ("X-Repo-Commit", hub.CommitHeader) };
        if (file.Large)
        {
            string sha = FakeHub.Sha256(file.Content);
            common.Add(("ETag", "\"pointer-etag\""));
            common.Add(("X-Linked-Etag", $"\"{sha}\""));
            common.Add(("X-Linked-Size", file.Content.Length.ToString()));
            common.Add(("Location", $"http://{hub.CdnHost}/cdn/{sha}?signature=abc"));
            await HeadersAsync(302, common);
            return;
        }
        common.Add(("ETag", $"\"{FakeHub.GitBlobId(file.Content)}\""));
        if (request.Method == "HEAD")
            await HeadersAsync(200, [.. common, ("Content-Length", file.Content.Length.ToString())], contentLength: false);
        else
            await BodyAsync(name, file, common);
    }

    async Task BodyAsync(string name, FakeHub.HubFile file, List<(string, string)> headers)
    {
        int start = request.Range is { } range ? int.Parse(range.Replace("bytes=", "").TrimEnd('-')) : 0;
        byte[] body = file.Content[start..];
        Faults.Fault? fault = hub.Faults.Take(name, bodyFault: true);
        if (fault?.Corrupt == true)
            body[body.Length / 2] ^= 0xFF;

        if (start > 0)
            headers.Add(("Content-Range", $"bytes {start}-{file.Content.Length - 1}/{file.Content.Length}"));
        await HeadersAsync(start > 0 ? 206 : 200, [.. headers, ("Content-Length", body.Length.ToString())],
            contentLength: false);
        if (request.Method == "HEAD")
            return;

        if (fault?.DropAfter is { } drop)
        {
            await WriteAsync(name, body.AsMemory(0, Math.Min(drop, body.Length)));
            return;
        }
        if (fault?.StallAfter is { } stall)
        {
            await WriteAsync(name, body.AsMemory(0, Math.Min(stall, body.Length)));
            await Task.Delay(TimeSpan.FromSeconds(10), stop);
            return;
        }
        int chunks = Math.Max(1, fault?.TrickleChunks ?? 1);
        int chunk = (body.Length + chunks - 1) / chunks;
        for (int offset = 0; offset < body.Length; offset += chunk)
        {
            if (offset > 0 && fault != null)
                await Task.Delay(fault.TricklePause, stop);
            await WriteAsync(name, body.AsMemory(offset, Math.Min(chunk, body.Length - offset)));
        }
    }

    async Task WriteAsync(string name, ReadOnlyMemory<byte> bytes)
    {
        await stream.WriteAsync(bytes, stop);
        await stream.FlushAsync(stop);
        hub.CountServed(name, bytes.Length);
    }

    async Task HeadersAsync(int status, IEnumerable<(string Name, string Value)> headers, bool contentLength = true)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} Status\r\nConnection: close\r\n");
        foreach (var (headerName, value) in headers)
            text.Append($"{headerName}: {value}\r\n");
        if (contentLength)
            text.Append("Content-Length: 0\r\n");
        text.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), stop);
    }
}
