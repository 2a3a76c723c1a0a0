namespace Workflow.Persistence;

/// <summary>A row of `inbox`: something delivered to an instance that its next turn consumes (see InboxEntry).</summary>
/// <remarks>[Kind] is one of the names in StoredNames (signal, activity_completed, …), not the enum's number, so reordering InboxKind cannot change stored rows' meaning.</remarks>
internal sealed class InboxRecord
{
    /// <summary>Grows with arrival: orders the entries and is what a commit names as consumed.</summary>
    public long Id { get; set; }
    public required string InstanceId { get; set; }
    public required string Kind { get; set; }
    public int Sequence { get; set; }
    public string? Name { get; set; }
    public string? Payload { get; set; }
    /// <summary>For an activity's outcome: the attempts it took (the journal shows them); null otherwise.</summary>
    public int? Attempts { get; set; }
    /// <summary>Arrival time, unix milliseconds.</summary>
    public long CreatedAt { get; set; }
}
