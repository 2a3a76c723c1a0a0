namespace Workflow.Durable;

/// <summary>An activity call a turn started: the task a worker runs outside the turn.</summary>
/// <param name="Sequence">The future's number in its instance: with the instance id, the idempotency key.</param>
/// <param name="ArgumentsJson">The positional arguments, a JSON array.</param>
/// <param name="Retries">`retries=` from the script: attempts after the first; null for the configured default.</param>
/// <param name="TimeoutSeconds">`timeout=` from the script, per attempt; null for the configured default.</param>
internal sealed record ActivityRequest(int Sequence, string Name, string ArgumentsJson, int? Retries, double? TimeoutSeconds);

/// <summary>A durable timer a turn started (sleep, sleep_until).</summary>
internal sealed record TimerRequest(int Sequence, DateTime DueAt);

/// <summary>A child workflow a turn started: its instance id is the parent's id and the sequence (see ChildIds).</summary>
internal sealed record ChildRequest(int Sequence, string Workflow, string? InputJson);

/// <summary>Where an instance stands (DESIGN.md's `wf show` statuses).</summary>
internal enum InstanceStatus : byte
{
    Running,
    Waiting,
    Completed,
    Failed,
    Cancelled,
    /// <summary>Ended by an operator (`wf terminate`): no script code ran to end it.</summary>
    Terminated,
    /// <summary>
    /// Held by an operator (`wf pause`): what reads show for an instance that is not final while its
    /// Paused flag is set. Never a turn's status: the flag, not the status, keeps workers off it.
    /// </summary>
    Paused,
}

internal static class InstanceStatusExtensions
{
    /// <summary>Whether [status] ends the instance: completed, failed, cancelled or terminated (its row then only answers reads).</summary>
    public static bool IsFinal(this InstanceStatus status) =>
        status is InstanceStatus.Completed or InstanceStatus.Failed or InstanceStatus.Cancelled or InstanceStatus.Terminated;
}

/// <summary>
/// Everything one turn of one instance writes, committed in one transaction (with other instances'
/// turns when commits are grouped): its new state, the inbox entries it consumed, the work it started.
/// </summary>
internal sealed class TurnCommit
{
    public required string InstanceId { get; init; }
    /// <summary>The row's revision when the turn claimed it: the commit applies only if it is still that (optimistic concurrency).</summary>
    public required long Revision { get; init; }
    public required InstanceStatus Status { get; init; }
    /// <summary>The pickle to resume from: set while the instance waits, kept as it was when the turn failed to unpickle it.</summary>
    public byte[]? Pickle { get; init; }
    public string? ResultJson { get; init; }
    /// <summary>The failure with its traceback.</summary>
    public string? Error { get; init; }
    /// <summary>The failure's last line (`ValueError: bad input`): what a parent's ChildError says.</summary>
    public string? ErrorSummary { get; init; }
    /// <summary>Inbox entries of the instance with an id up to this one were delivered by the turn and are deleted; 0 for none.</summary>
    public long ConsumedThrough { get; init; }
    public IReadOnlyList<ActivityRequest> Activities { get; init; } = Array.Empty<ActivityRequest>();
    public IReadOnlyList<TimerRequest> Timers { get; init; } = Array.Empty<TimerRequest>();
    public IReadOnlyList<ChildRequest> Children { get; init; } = Array.Empty<ChildRequest>();
    /// <summary>Futures the turn cancelled: their timer rows and activity tasks are deleted, their child instances get a Cancel.</summary>
    public IReadOnlyList<int> Cancelled { get; init; } = Array.Empty<int>();
    /// <summary>
    /// True for an intermediate commit (the commit-at-every-await option): the worker keeps its
    /// lease and goes on with the same turn; the instance stays claimed.
    /// </summary>
    public bool KeepLease { get; init; }
    /// <summary>
    /// Set when the turn's slice ended with tasklets still runnable (fair turns): how long the
    /// instance has run since it last blocked, in microseconds (at least 1). The instance stays
    /// ready, behind the others, and its next claim goes on from this pickle. 0 for a turn that
    /// ended with every tasklet blocked or the instance finished.
    /// </summary>
    public long BusyMicros { get; init; }
    /// <summary>
    /// The journal's entry for this commit (written in the same transaction); null only in tests of
    /// the stores, which then journal an empty entry, so that turn numbers and journal entries stay one to one.
    /// </summary>
    public JournalEntry? Journal { get; init; }
}
