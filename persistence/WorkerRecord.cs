namespace Workflow.Persistence;

/// <summary>
/// A row of `workers`: a worker process that claims instances and activity tasks, with its last
/// heartbeat. A claim whose owner has no row, or whose owner is gone (its lock was dropped by the
/// OS or the server, or its heartbeat stopped), is released by the next live worker that looks.
/// </summary>
internal sealed class WorkerRecord
{
    /// <summary>The worker id its claims carry (LeaseOwner of instances and activity_tasks).</summary>
    public required string Id { get; set; }
    public required string Host { get; set; }
    public int ProcessId { get; set; }
    /// <summary>Unix milliseconds.</summary>
    public long StartedAt { get; set; }
    /// <summary>Unix milliseconds of the last heartbeat.</summary>
    public long HeartbeatAt { get; set; }
}
