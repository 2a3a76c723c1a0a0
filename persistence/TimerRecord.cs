namespace Workflow.Persistence;

/// <summary>A row of `timers`: a durable timer not yet fired. The row is the truth; the scheduler only wakes it on time.</summary>
internal sealed class TimerRecord
{
    public required string InstanceId { get; set; }
    public int Sequence { get; set; }
    /// <summary>Unix milliseconds.</summary>
    public long DueAt { get; set; }
    public long CreatedAt { get; set; }
}
