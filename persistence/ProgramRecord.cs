namespace Workflow.Persistence;

/// <summary>A row of `programs`: one version of a workflow program, stored once by its hash (of its source and its modules').</summary>
internal sealed class ProgramRecord
{
    public required string Hash { get; set; }
    /// <summary>The program's name (its file name without .wf): what instances and child calls name.</summary>
    public required string Name { get; set; }
    public required string Source { get; set; }
    /// <summary>The sources of the modules it imports, as a JSON object (module name → source); null when it imports none.</summary>
    public string? ModulesJson { get; set; }
    /// <summary>When it was first stored, in unix milliseconds (which version is current is in `deployments`).</summary>
    public long CreatedAt { get; set; }
}
