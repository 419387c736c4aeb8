namespace GemmaBench.Model.Hub;

/// <summary>What went wrong while resolving or downloading a model from the hub.</summary>
public enum HubFailure
{
    InvalidModelId,
    InvalidSetting,
    NotCached,
    Unauthorized,
    Gated,
    NotFound,
    ServerError,
    Unreachable,
    BadResponse,
    ChecksumMismatch,
    DiskFull,
    CacheNotWritable,
}

/// <summary>A hub or cache failure; the message names the model, file or setting and what to do.</summary>
public sealed class HubException : ModelException
{
    public HubException(HubFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    public HubFailure Failure { get; }
}
