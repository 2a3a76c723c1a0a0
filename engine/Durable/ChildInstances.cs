namespace Workflow.Durable;

/// <summary>
/// How every store names a child instance and words its failure to the parent, kept in one place
/// so that a workflow sees the same ids and ChildError messages on SQLite and on PostgreSQL.
/// </summary>
internal static class ChildInstances
{
    /// <summary>A child instance's id: its parent's id and the future's sequence.</summary>
    public static string Id(string parentId, int sequence) => $"{parentId}.{sequence}";

    /// <summary>
    /// How deep a chain of children may go below its root instance. Each instance's own quota
    /// (MaxPendingChildren) cannot stop a workflow that starts itself as a child, one at a time, for
    /// ever; past this depth a child is not started and its parent gets ChildError instead.
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>Why a child of [parentId] is not started, or null when it may be: ids from outside have no '.', so the dots count the levels.</summary>
    public static string? TooDeep(string parentId, string workflow)
    {
        int depth = parentId.Count(c => c == '.');
        return depth + 1 > MaxDepth
            ? $"child workflows nested too deeply: '{workflow}' would be {depth + 1} levels below its root instance, over the limit of {MaxDepth} (a workflow that starts itself as a child without end?)"
            : null;
    }

    /// <summary>The parent's ChildFailed payload when the child's final commit names no ErrorSummary.</summary>
    public static string DefaultSummary(InstanceStatus status) =>
        status switch
        {
            InstanceStatus.Cancelled => "CancelledError: the child workflow was cancelled",
            InstanceStatus.Terminated => "TerminatedError: the child workflow was terminated",
            _ => "the child workflow failed",
        };
}
