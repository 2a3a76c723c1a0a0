namespace Workflow.Durable;

/// <summary>What arrived for an instance from outside its turn: the inbox holds these until a turn consumes them.</summary>
internal enum InboxKind : byte
{
    /// <summary>A signal [Name] with a JSON payload.</summary>
    Signal,
    /// <summary>Activity [Sequence] returned the JSON in Payload.</summary>
    ActivityCompleted,
    /// <summary>Activity [Sequence] failed for good; Payload is the cause's message.</summary>
    ActivityFailed,
    /// <summary>Timer [Sequence] is due.</summary>
    TimerFired,
    /// <summary>Child workflow [Sequence] completed with the JSON result in Payload (null for None).</summary>
    ChildCompleted,
    /// <summary>Child workflow [Sequence] failed or was cancelled; Payload is its error's last line.</summary>
    ChildFailed,
    /// <summary>Someone asked to cancel the instance.</summary>
    Cancel,
}

/// <summary>
/// One inbox entry. [Id] grows with arrival (it orders signals and is what a turn's commit names
/// as consumed); [Sequence] names the future it settles (activities, timers, children).
/// </summary>
internal sealed record InboxEntry(long Id, InboxKind Kind, int Sequence, string? Name, string? Payload);
