namespace GemmaBench.Model.Hub;

/// <summary>Where the Hugging Face cache lives, which hub to ask and how: read from the same environment
/// variables huggingface_hub reads, so Python and .NET share one cache and one login.</summary>
public sealed record HubSettings
{
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The hub cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub.</summary>
    public required string CacheDir { get; init; }

    /// <summary>HF_ENDPOINT, else the public hub.</summary>
    public Uri Endpoint { get; init; } = new(DefaultEndpoint);

    /// <summary>HF_TOKEN, else the file huggingface-cli login writes; sent only to the endpoint's host.</summary>
    public string? Token { get; init; }

    /// <summary>HF_HUB_OFFLINE: never touch the network.</summary>
    public bool Offline { get; init; }

    /// <summary>Attempts per request when the server fails (5xx) or the connection drops.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; doubled for each further one, capped at 30 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a response may stay silent before the connection counts as dropped.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static HubSettings FromEnvironment() =>
        FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads the settings through <paramref name="getVariable"/>, so tests need not touch the
    /// process environment.</summary>
    public static HubSettings FromEnvironment(Func<string, string?> getVariable)
    {
        string? Get(string name) => getVariable(name) is { Length: > 0 } value ? value : null;

        string home = Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string Expand(string path) =>
            path == "~" || path.StartsWith("~/", StringComparison.Ordinal) ? home + path[1..] : path;

        string hfHome = Expand(Get("HF_HOME")
            ?? Path.Combine(Get("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "huggingface"));
        string cacheDir = Expand(
            Get("HF_HUB_CACHE") ?? Get("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(hfHome, "hub"));
        string tokenPath = Expand(Get("HF_TOKEN_PATH") ?? Path.Combine(hfHome, "token"));

        return new HubSettings
        {
            CacheDir = cacheDir,
            Endpoint = ParseEndpoint(Get("HF_ENDPOINT") ?? DefaultEndpoint),
            Token = Get("HF_TOKEN")?.Trim() ?? ReadTokenFile(tokenPath),
            Offline = IsTrue(Get("HF_HUB_OFFLINE")),
        };
    }

    static Uri ParseEndpoint(string value)
    {
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new HubException(HubFailure.InvalidSetting,
                $"HF_ENDPOINT '{value}' is not an http(s) URL: unset it or set it like {DefaultEndpoint}");
        }
        return uri;
    }

    static string? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    static bool IsTrue(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";
}
