namespace Workflow.Persistence;

/// <summary>
/// A workflow instance: its program version, status, input and outcome, and, while it sleeps, the
/// pickle of its reduced frame chain (kept after a failure too, for inspection).
/// </summary>
public sealed class InstanceRecord
{
    public required string Id { get; set; }
    /// <summary>The program's name (its file name without .wf).</summary>
    public required string Workflow { get; set; }
    public required string ProgramHash { get; set; }
    /// <summary>running, waiting, completed, failed or cancelled (DESIGN.md's `wf show`).</summary>
    public required string Status { get; set; }
    public string? InputJson { get; set; }
    public string? ResultJson { get; set; }
    /// <summary>The failure's traceback.</summary>
    public string? Error { get; set; }
    public byte[]? Pickle { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Bumped on every write: the optimistic-concurrency token of the instance row.</summary>
    public long Revision { get; set; }
}
