using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

public sealed class HubSettingsTests
{
    static HubSettings From(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        map.TryAdd("HOME", "/home/u");
        return HubSettings.FromEnvironment(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void Defaults_are_the_public_hub_and_the_cache_under_home()
    {
        HubSettings settings = From(("HF_TOKEN_PATH", "/nonexistent/token"));

        Assert.Equal("/home/u/.cache/huggingface/hub", settings.CacheDir);
        Assert.Equal(new Uri("https://huggingface.co"), settings.Endpoint);
        Assert.Null(settings.Token);
        Assert.False(settings.Offline);
    }

    [Fact]
    public void Cache_is_HF_HUB_CACHE_else_HF_HOME_hub_else_XDG_CACHE_HOME()
    {
        Assert.Equal("/c/huggingface/hub", From(("XDG_CACHE_HOME", "/c")).CacheDir);
        Assert.Equal("/h/hub", From(("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/c")).CacheDir);
        Assert.Equal("/x", From(("HF_HUB_CACHE", "/x"), ("HF_HOME", "/h")).CacheDir);
        Assert.Equal("/home/u/models", From(("HF_HUB_CACHE", "~/models")).CacheDir);
    }

    [Fact]
    public void Token_is_HF_TOKEN_else_the_login_file_under_HF_HOME()
    {
        string home = Directory.CreateTempSubdirectory("gemma-bench-hf-home-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(home, "token"), "hf_from_file\n");

            Assert.Equal("hf_from_file", From(("HF_HOME", home)).Token);
            Assert.Equal("hf_from_env", From(("HF_HOME", home), ("HF_TOKEN", "hf_from_env")).Token);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("ON", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    public void Offline_follows_HF_HUB_OFFLINE(string value, bool offline) =>
        Assert.Equal(offline, From(("HF_HUB_OFFLINE", value)).Offline);

    [Fact]
    public void Endpoint_comes_from_HF_ENDPOINT_and_must_be_http()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8080/"), From(("HF_ENDPOINT", "http://127.0.0.1:8080/")).Endpoint);
        var error = Assert.Throws<HubException>(() => From(("HF_ENDPOINT", "ftp://mirror")));
        Assert.Contains("HF_ENDPOINT", error.Message);
    }
}
