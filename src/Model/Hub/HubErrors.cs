using System.Net;

namespace GemmaBench.Model.Hub;

/// <summary>Turns the hub's refusals into one-line errors that say what to do. The hub names the cause in
/// X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo); the status code is the fallback.
/// The token never appears in a message.</summary>
static class HubErrors
{
    public static HubException FromResponse(
        HttpResponseMessage response, string repoId, string revision, string file, HubSettings settings)
    {
        string code = HubClient.ErrorCode(response) ?? "";
        string page = $"{settings.Endpoint.AbsoluteUri.TrimEnd('/')}/{repoId}";
        string login = "set HF_TOKEN or run `huggingface-cli login`";

        if (code == "RepoNotFound")
        {
            return new HubException(HubFailure.NotFound,
                $"model '{repoId}' was not found on {settings.Endpoint.Host}: check the id"
                + (settings.Token == null ? $" (a private repository also needs a token: {login})" : ""));
        }

        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized when settings.Token == null => new HubException(HubFailure.Unauthorized,
                $"'{repoId}' needs a Hugging Face token: {login}, and accept the license at {page}"),
            HttpStatusCode.Unauthorized => new HubException(HubFailure.Unauthorized,
                $"the Hugging Face token was rejected for '{repoId}' (401): {login} with a valid token"),
            HttpStatusCode.Forbidden => new HubException(HubFailure.Gated,
                $"'{repoId}' is gated and your account has not been granted access (403): "
                + $"accept the license at {page} while logged in as the token's owner"),
            HttpStatusCode.NotFound when code == "RevisionNotFound" => new HubException(HubFailure.NotFound,
                $"revision '{revision}' was not found in '{repoId}': check --revision"),
            HttpStatusCode.NotFound => new HubException(HubFailure.NotFound,
                $"'{file}' was not found in '{repoId}' at revision '{revision}'"),
            _ => new HubException(HubFailure.BadResponse,
                $"the hub answered HTTP {(int)response.StatusCode} for '{file}' of '{repoId}'"
                + (Message(response) is { } message ? $": {message}" : "")),
        };
    }

    static string? Message(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Error-Message", out var values)
            ? values.FirstOrDefault()?.ReplaceLineEndings(" ")
            : null;
}
