namespace Workflow.Persistence;

/// <summary>
/// A row of `instances`: a workflow instance, its program version, status, input and outcome, and the
/// pickle of its reduced frame chain (kept after a failure too, for inspection).
/// </summary>
/// <remarks>
/// Times are unix milliseconds (UTC), because queries compare and order them. [Status] is a
/// lowercase InstanceStatus name: running, waiting, completed, failed, cancelled or terminated (`wf show`;
/// a paused instance keeps its status and shows as paused through [Paused]).
/// </remarks>
internal sealed class InstanceRecord
{
    public required string Id { get; set; }
    /// <summary>The program's name.</summary>
    public required string Workflow { get; set; }
    /// <summary>The program version the instance runs for its whole life.</summary>
    public required string ProgramHash { get; set; }
    public required string Status { get; set; }
    public string? InputJson { get; set; }
    public string? ResultJson { get; set; }
    /// <summary>The failure with its traceback.</summary>
    public string? Error { get; set; }
    /// <summary>The failure's last line: what the parent's ChildFailed entry carries.</summary>
    public string? ErrorSummary { get; set; }
    public byte[]? Pickle { get; set; }
    /// <summary>The instance that started this one as a child, and the future it settles there.</summary>
    public string? ParentId { get; set; }
    public int ParentSequence { get; set; }
    /// <summary>True while the instance has work to do: it never ran, has inbox entries, or is inside a turn; claimable when its lease is free or expired.</summary>
    public bool Ready { get; set; }
    /// <summary>When it last became ready: claims take the oldest first.</summary>
    public long? ReadySince { get; set; }
    /// <summary>
    /// How long the instance has run since it last blocked, in microseconds, while its last turn's
    /// slice ended with tasklets still runnable (fair turns); 0 otherwise. Busy instances are claimed
    /// by the workers' busy lane, the others by the fresh lane.
    /// </summary>
    public long BusyMicros { get; set; }
    public string? LeaseOwner { get; set; }
    public long? LeaseExpiresAt { get; set; }
    /// <summary>Turns committed: the number of the newest journal entry.</summary>
    public int Turns { get; set; }
    /// <summary>Held by an operator (`wf pause`): not claimed, while what arrives for it queues in the inbox.</summary>
    public bool Paused { get; set; }
    /// <summary>
    /// The lowest sequence number the instance's next future may take, 0 for no floor. A rewind sets
    /// it past every sequence used so far, so work started after the rewind never reuses the number
    /// (the idempotency key, the child's instance id) of work the rewind called off.
    /// </summary>
    public int SequenceFloor { get; set; }
    /// <summary>Bumped by every claim and commit: the optimistic-concurrency token of the row.</summary>
    public long Revision { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}
