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
/// [Attempts]: for an activity's outcome, the attempts it took (the journal shows them).
/// </summary>
internal sealed record InboxEntry(long Id, InboxKind Kind, int Sequence, string? Name, string? Payload, int? Attempts = null);

internal static class InboxKinds
{
    private static readonly string[] Names =
        ["signal", "activity_completed", "activity_failed", "timer_fired", "child_completed", "child_failed", "cancel"];

    /// <summary>
    /// [kind]'s name, as the database stores it and the journal shows it: a lowercase name rather
    /// than the enum's number, so reordering InboxKind cannot change what stored rows mean.
    /// </summary>
    public static string Name(this InboxKind kind) => Names[(int)kind];

    /// <summary>The kind named [name], or null for a name that is none.</summary>
    public static InboxKind? Parse(string name) => Array.IndexOf(Names, name) is var i and >= 0 ? (InboxKind)i : null;
}
