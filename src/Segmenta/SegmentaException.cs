namespace Segmenta;

/// <summary>What kind of failure a <see cref="SegmentaException"/> is: each host maps a kind once (an exit code, an HTTP status).</summary>
public enum FailureKind
{
    /// <summary>The user's input is wrong: arguments, a file, a mapping, settings, a name that is not a name. Nothing was written.</summary>
    BadInput,

    /// <summary>Something named does not exist: a segment, a campaign.</summary>
    NotFound,

    /// <summary>The request conflicts with what is recorded: a campaign launched before, history that says otherwise.</summary>
    Conflict,

    /// <summary>A model cannot be fitted to the data (too few customers, no convergence).</summary>
    CannotFit,

    /// <summary>The warehouse cannot be opened or used now (not there, a newer schema, disk full, connection lost): retry later.</summary>
    WarehouseUnavailable,

    /// <summary>A step of a longer run failed (a refresh step): what was current stays current.</summary>
    StepFailed,
}

/// <summary>An argument a host passed on from its user that is not what it must be (an instant that is no instant).</summary>
public sealed class BadArgumentException(string message) : SegmentaException(message, FailureKind.BadInput);

/// <summary>
/// The base of every failure the core reports to a user: a message that says what to do, and its
/// <see cref="FailureKind"/>. Anything else that escapes the core is a bug.
/// </summary>
public abstract class SegmentaException(string message, FailureKind kind, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What kind of failure it is.</summary>
    public FailureKind Kind { get; } = kind;
}
