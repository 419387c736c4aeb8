using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace GemmaBench.Model.Hub;

/// <summary>Talks to the hub's resolve endpoint: file metadata from HEAD, bytes from GET, following redirects
/// itself so the token goes only to the endpoint's own host, retrying server errors and dropped
/// connections with backoff, and turning refusals into errors that say what to do.</summary>
sealed class HubClient : IDisposable
{
    const int MaxRedirects = 10;

    readonly HubSettings settings;
    readonly IDownloadProgress progress;
    readonly HttpClient http;

    public HubClient(HubSettings settings, IDownloadProgress progress)
    {
        this.settings = settings;
        this.progress = progress;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("gemma-bench/0.1");
    }

    public int RequestCount { get; private set; }

    public Uri ResolveUrl(string repoId, string revision, string file)
    {
        string path = string.Join('/', file.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{settings.Endpoint.AbsoluteUri.TrimEnd('/')}/{repoId}/resolve/"
            + $"{Uri.EscapeDataString(revision)}/{path}");
    }

    /// <summary>The file's commit, blob name, size and download URL; null when the file does not exist
    /// and <paramref name="optional"/> is set.</summary>
    public async Task<RemoteFile?> GetMetadataAsync(
        string repoId, string revision, string file, bool optional, CancellationToken cancel)
    {
        Uri url = ResolveUrl(repoId, revision, file);
        using HttpResponseMessage response = await SendAsync(HttpMethod.Head, url, 0, file, cancel);
        if (optional && response.StatusCode == HttpStatusCode.NotFound
            && ErrorCode(response) is null or "EntryNotFound")
            return null;
        if (!IsSuccess(response))
            throw HubErrors.FromResponse(response, repoId, revision, file, settings);

        string? commit = Header(response, "X-Repo-Commit");
        string? linkedEtag = Header(response, "X-Linked-Etag");
        string? etag = NormalizeEtag(linkedEtag ?? Header(response, "ETag"));
        long? size = long.TryParse(Header(response, "X-Linked-Size"), out long linkedSize)
            ? linkedSize
            : response.Content.Headers.ContentLength;
        if (commit == null || etag == null || size == null || !IsSafeBlobName(etag))
        {
            throw new HubException(HubFailure.BadResponse,
                $"{url} did not answer like a Hugging Face hub (missing X-Repo-Commit, ETag or size): "
                + "check HF_ENDPOINT");
        }
        // The commit names a folder of the cache: anything but a commit id could point outside it.
        if (!HubCache.IsCommitId(commit))
        {
            throw new HubException(HubFailure.BadResponse,
                $"{url} did not answer like a Hugging Face hub (X-Repo-Commit is not a 40-digit commit id): "
                + "check HF_ENDPOINT");
        }

        Uri downloadUrl = response.Headers.Location is { } location ? new Uri(url, location) : url;
        return new RemoteFile(file, commit, etag, size.Value, downloadUrl, linkedEtag != null);
    }

    /// <summary>Sends one request, following redirects (HEAD only to the same host, as the hub's client
    /// does, so the CDN location of a large file is kept) and retrying 5xx, 429 and connection failures.
    /// The caller disposes the response and checks its status.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, Uri url, long rangeStart, string file, CancellationToken cancel)
    {
        for (int attempt = 1; ; attempt++)
        {
            string reason;
            Exception? failure = null;
            try
            {
                HttpResponseMessage response = await FollowRedirectsAsync(method, url, rangeStart, cancel);
                int status = (int)response.StatusCode;
                if (status < 500 && status != 429)
                    return response;
                reason = $"HTTP {status}";
                response.Dispose();
                if (attempt >= settings.MaxAttempts)
                    throw new HubException(HubFailure.ServerError,
                        $"the hub at {settings.Endpoint} answered {reason} for {file} {attempt} times: "
                        + "try again later");
            }
            catch (Exception e) when (IsTransient(e, cancel))
            {
                failure = e;
                reason = e is OperationCanceledException ? "no answer" : e.Message;
                if (attempt >= settings.MaxAttempts)
                    throw Unreachable(e);
            }

            TimeSpan delay = Backoff(attempt);
            progress.Retrying(file, reason, attempt, delay);
            await Task.Delay(delay, cancel);
        }
    }

    public TimeSpan Backoff(int attempt) =>
        TimeSpan.FromTicks(Math.Min(settings.RetryDelay.Ticks << Math.Min(attempt - 1, 20),
            TimeSpan.FromSeconds(30).Ticks));

    public HubException Unreachable(Exception e) =>
        new(HubFailure.Unreachable,
            $"cannot reach {settings.Endpoint.Host} ({e.Message.TrimEnd('.')}): check the network, "
            + "or set HF_HUB_OFFLINE=1 if the model is already in the Hugging Face cache", e);

    /// <summary>Network failures worth retrying; the caller's own cancellation is not one.</summary>
    public static bool IsTransient(Exception e, CancellationToken cancel) =>
        e switch
        {
            OperationCanceledException => !cancel.IsCancellationRequested,
            HttpRequestException or IOException or SocketException => true,
            _ => false,
        };

    async Task<HttpResponseMessage> FollowRedirectsAsync(
        HttpMethod method, Uri url, long rangeStart, CancellationToken cancel)
    {
        for (int redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (rangeStart > 0)
                request.Headers.Range = new RangeHeaderValue(rangeStart, null);
            if (settings.Token != null && IsEndpointHost(url))
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(settings.ReadTimeout);
            RequestCount++;
            HttpResponseMessage response =
                await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

            int status = (int)response.StatusCode;
            if (status is < 300 or >= 400 || response.Headers.Location is not { } location)
                return response;
            var target = new Uri(url, location);
            if ((method == HttpMethod.Head && !IsEndpointHost(target)) || redirects >= MaxRedirects)
                return response;
            response.Dispose();
            url = target;
        }
    }

    bool IsEndpointHost(Uri url) =>
        Uri.Compare(url, settings.Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped,
            StringComparison.OrdinalIgnoreCase) == 0;

    public static bool IsSuccess(HttpResponseMessage response) => (int)response.StatusCode is >= 200 and < 400;

    public static string? ErrorCode(HttpResponseMessage response) => Header(response, "X-Error-Code");

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault()
        : null;

    static string? NormalizeEtag(string? etag)
    {
        if (etag == null)
            return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal))
            etag = etag[2..];
        etag = etag.Trim('"');
        return etag.Length > 0 ? etag : null;
    }

    static bool IsSafeBlobName(string etag) => etag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public void Dispose() => http.Dispose();
}
