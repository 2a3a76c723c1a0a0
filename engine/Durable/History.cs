namespace Workflow.Durable;

/// <summary>
/// One entry of an instance's journal as history reads show it: its columns and its document
/// (JournalEntry's layout). The committed pickle is read apart, by GetTurnPickle; [HasPickle] is
/// false once retention dropped it (the entry itself is kept).
/// </summary>
internal sealed record JournalRow(int Turn, string Kind, DateTime At, string? Worker, long DurationMicros, InstanceStatus Status,
    string EntryJson, int PickleBytes, bool HasPickle);

/// <summary>A page of a journal in turn order; [NextAfterTurn] is the cursor of the next page, null after the last.</summary>
internal sealed record JournalPage(IReadOnlyList<JournalRow> Entries, int? NextAfterTurn);

/// <summary>
/// The pickle journal entry [Turn] committed: null when the entry committed none (a completed turn)
/// or retention dropped it ([PickleBytes] then still says how big it was).
/// </summary>
internal sealed record TurnPickle(int Turn, InstanceStatus Status, byte[]? Pickle, int PickleBytes)
{
    public bool Pruned => Pickle == null && PickleBytes > 0;
}
