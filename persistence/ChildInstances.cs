using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// How every store names a child instance and words its failure to the parent, kept in one place
/// so that a workflow sees the same ids and ChildError messages on SQLite and on PostgreSQL.
/// </summary>
internal static class ChildInstances
{
    /// <summary>A child instance's id: its parent's id and the future's sequence.</summary>
    public static string Id(string parentId, int sequence) => $"{parentId}.{sequence}";

    /// <summary>The parent's ChildFailed payload when the child's final commit names no ErrorSummary.</summary>
    public static string DefaultSummary(InstanceStatus status) =>
        status == InstanceStatus.Cancelled ? "CancelledError: the child workflow was cancelled" : "the child workflow failed";
}
