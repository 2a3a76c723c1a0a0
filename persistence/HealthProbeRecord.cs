namespace Workflow.Persistence;

/// <summary>
/// The one row of `health_probe`: a health check writes it and commits, which proves the database
/// takes writes (not only that it answers reads) on a read-only file or a full disk.
/// </summary>
internal sealed class HealthProbeRecord
{
    /// <summary>Always 1: one row, overwritten by every probe.</summary>
    public int Id { get; set; }
    /// <summary>Unix milliseconds of the last probe.</summary>
    public long ProbedAt { get; set; }
}
