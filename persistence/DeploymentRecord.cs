namespace Workflow.Persistence;

/// <summary>
/// A row of `deployments`: program version [Hash] made the current one of [Name]. The newest row of
/// a name is its current version; versions themselves are stored once, in `programs`.
/// </summary>
internal sealed class DeploymentRecord
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    /// <summary>When, in unix milliseconds.</summary>
    public long DeployedAt { get; set; }
}
