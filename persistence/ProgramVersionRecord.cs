namespace Workflow.Persistence;

/// <summary>One version of a workflow program, stored once by the SHA-256 of its source; instances name the version they run.</summary>
public sealed class ProgramVersionRecord
{
    public required string Hash { get; set; }
    public required string Name { get; set; }
    public required string Source { get; set; }
    public DateTime CreatedAt { get; set; }
}
