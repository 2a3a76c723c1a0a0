namespace Workflow.Persistence;

/// <summary>A row of `activity_tasks`: an activity call waiting for, or leased to, an activity worker.</summary>
internal sealed class ActivityTaskRecord
{
    public long Id { get; set; }
    public required string InstanceId { get; set; }
    /// <summary>The future's number in its instance; with the instance id, unique and the idempotency key.</summary>
    public int Sequence { get; set; }
    public required string Name { get; set; }
    public required string ArgumentsJson { get; set; }
    public int? Retries { get; set; }
    public double? TimeoutSeconds { get; set; }
    /// <summary>Attempts started so far, stored so that a crash does not reset the retry budget.</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public string? LeaseOwner { get; set; }
    /// <summary>Unix milliseconds; null while no worker holds the task.</summary>
    public long? LeaseExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}
