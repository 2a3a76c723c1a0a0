namespace Workflow.Persistence;

/// <summary>A row of `programs`: one version of a workflow program, stored once by the SHA-256 of its source.</summary>
internal sealed class ProgramRecord
{
    public required string Hash { get; set; }
    /// <summary>The program's name (its file name without .wf): what instances and child calls name.</summary>
    public required string Name { get; set; }
    public required string Source { get; set; }
    /// <summary>When it was deployed, in unix milliseconds: the latest of a name is what new instances run.</summary>
    public long CreatedAt { get; set; }
}
