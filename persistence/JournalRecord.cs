namespace Workflow.Persistence;

/// <summary>
/// A row of `journal`: one committed turn of an instance (or an operator's act on it: rewind,
/// terminate, pause, resume), written in the same transaction as the turn's commit.
/// </summary>
/// <remarks>
/// [Entry] is the JSON document of what the turn consumed, started, printed and how it ended
/// (Workflow.Durable.JournalEntry writes and reads it); the columns beside it are what queries
/// filter and page on. [Pickle] is the pickle the turn committed, so any past turn's stack can be
/// read and resumed (rewind, fork); retention sets it to null first, keeping the entry.
/// </remarks>
internal sealed class JournalRecord
{
    public required string InstanceId { get; set; }
    /// <summary>The instance's turn number, from 1: every commit and every operator act takes the next one.</summary>
    public int Turn { get; set; }
    /// <summary>What the entry records: turn, rewind, terminate, pause, resume, fork.</summary>
    public required string Kind { get; set; }
    /// <summary>When it was committed, unix milliseconds.</summary>
    public long At { get; set; }
    /// <summary>The worker that ran the turn (null for an operator's act).</summary>
    public string? Worker { get; set; }
    /// <summary>How long the turn ran (unpickle, run, pickle), microseconds.</summary>
    public long DurationMicros { get; set; }
    /// <summary>The instance's status after the entry (a StoredNames status).</summary>
    public required string Status { get; set; }
    public required string Entry { get; set; }
    /// <summary>The committed pickle's size in bytes (0 for none), kept when the pickle itself is pruned.</summary>
    public int PickleBytes { get; set; }
    public byte[]? Pickle { get; set; }
}
