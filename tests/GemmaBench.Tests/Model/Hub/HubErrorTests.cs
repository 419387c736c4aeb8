using System.Net;
using System.Net.Sockets;
using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>Refusals and outages end in one line that says what to do, with nothing left in snapshots/.</summary>
public sealed class HubErrorTests : IDisposable
{
    readonly HubFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    async Task<HubException> FailsAsync(HubFailure expected)
    {
        HubException error = await fixture.ResolveFailsAsync();
        Assert.Equal(expected, error.Failure);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(fixture.SnapshotFiles());
        return error;
    }

    [Fact]
    public async Task Missing_token_says_to_set_HF_TOKEN_or_log_in()
    {
        fixture.Hub.RequiredToken = "hf_right";

        HubException error = await FailsAsync(HubFailure.Unauthorized);

        Assert.Contains("set HF_TOKEN or run `huggingface-cli login`", error.Message);
    }

    [Fact]
    public async Task Rejected_token_is_reported_without_showing_it()
    {
        fixture.Hub.RequiredToken = "hf_right";
        fixture.Settings = fixture.Settings with { Token = "hf_wrong_secret" };

        HubException error = await FailsAsync(HubFailure.Unauthorized);

        Assert.Contains("token was rejected", error.Message);
        Assert.DoesNotContain("hf_wrong_secret", error.ToString());
    }

    [Fact]
    public async Task Gated_model_names_the_page_where_the_license_is_accepted()
    {
        fixture.Hub.Faults.Status("config.json", 403, errorCode: "GatedRepo");

        HubException error = await FailsAsync(HubFailure.Gated);

        Assert.Contains($"accept the license at {fixture.Hub.Endpoint.AbsoluteUri}google/gemma-test", error.Message);
    }

    [Theory]
    [InlineData("/tmp/gemma-bench-outside")]
    [InlineData("../../../outside")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF01234567")]
    public async Task Commit_header_that_is_not_a_commit_id_is_refused_and_nothing_is_written(string commit)
    {
        fixture.Hub.CommitHeader = commit;

        HubException error = await FailsAsync(HubFailure.BadResponse);

        Assert.Contains("X-Repo-Commit is not a 40-digit commit id", error.Message);
        Assert.False(Directory.Exists("/tmp/gemma-bench-outside"));
        Assert.False(File.Exists(Path.Combine(fixture.Cache.RepoDir, "refs", "main")));
    }

    [Fact]
    public async Task Unknown_repository_is_not_found()
    {
        HubException error = await Assert.ThrowsAsync<HubException>(
            () => ModelLocator.ResolveAsync("google/no-such-model", "main", null, fixture.Settings));

        Assert.Equal(HubFailure.NotFound, error.Failure);
        Assert.Contains("'google/no-such-model' was not found", error.Message);
    }

    [Fact]
    public async Task Unknown_revision_is_not_found_and_names_the_option()
    {
        HubException error = await Assert.ThrowsAsync<HubException>(() => fixture.ResolveAsync("v9"));

        Assert.Equal(HubFailure.NotFound, error.Failure);
        Assert.Equal("revision 'v9' was not found in 'google/gemma-test': check --revision", error.Message);
    }

    [Fact]
    public async Task Missing_required_file_is_not_found_and_named()
    {
        fixture.Hub.Faults.Status("tokenizer.json", 404, errorCode: "EntryNotFound");

        HubException error = await FailsAsync(HubFailure.NotFound);

        Assert.Equal($"'tokenizer.json' was not found in 'google/gemma-test' at revision '{FakeHub.Commit}'",
            error.Message);
    }

    [Fact]
    public async Task Server_error_then_success_is_retried()
    {
        fixture.Hub.Faults.Status("config.json", 500, times: 2);

        await fixture.ResolveAsync();

        Assert.Equal(["retrying config.json #1", "retrying config.json #2"],
            fixture.Progress.Events.Where(e => e.StartsWith("retrying")));
    }

    [Fact]
    public async Task Persistent_server_error_gives_up_after_the_bounded_attempts()
    {
        fixture.Hub.Faults.Status("config.json", 503, times: 100);

        HubException error = await FailsAsync(HubFailure.ServerError);

        Assert.Equal(3, fixture.Hub.Requests.Count);
        Assert.Contains("HTTP 503", error.Message);
        Assert.Contains("3 times", error.Message);
    }

    [Fact]
    public async Task Unreachable_hub_suggests_offline_mode()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        fixture.Settings = fixture.Settings with { Endpoint = new Uri($"http://127.0.0.1:{port}") };

        HubException error = await FailsAsync(HubFailure.Unreachable);

        Assert.Contains("HF_HUB_OFFLINE=1", error.Message);
    }

    [Fact]
    public async Task Text_that_is_neither_a_directory_nor_a_hub_id_is_refused()
    {
        HubException error = await Assert.ThrowsAsync<HubException>(
            () => ModelLocator.ResolveAsync("no/such/dir", "main", null, fixture.Settings));

        Assert.Equal(HubFailure.InvalidModelId, error.Failure);
        Assert.StartsWith("model 'no/such/dir' is neither a directory nor a Hugging Face model id", error.Message);
        Assert.Empty(fixture.Hub.Requests);
    }
}
