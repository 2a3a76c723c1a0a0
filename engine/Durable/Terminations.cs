namespace Workflow.Durable;

/// <summary>
/// What terminating an instance writes (`wf terminate`): it ends at once with status terminated,
/// no script code runs (no finally block, no compensation), its activity tasks, timers and inbox
/// are deleted, its running children and theirs are terminated too, and its parent, when it has
/// one outside the terminated tree, receives ChildError with the error's line. Its pickle stays
/// for inspection. The stores carry this out; its words live here, once.
/// </summary>
internal static class Terminations
{
    /// <summary>The error a terminated instance records (and its parent's ChildError says).</summary>
    public static string Error(string? reason) =>
        "TerminatedError: the workflow was terminated by an operator" + (string.IsNullOrWhiteSpace(reason) ? "" : ": " + reason);

    /// <summary>The reason a terminated instance's running child is terminated with.</summary>
    public static string ParentReason(string parentId) => $"its parent '{parentId}' was terminated";

    /// <summary>The journal entry of a termination.</summary>
    public static JournalEntry Journal(string? reason)
    {
        var entry = new JournalEntry(JournalKinds.Terminate);
        if (!string.IsNullOrWhiteSpace(reason)) entry.Set("reason", reason);
        entry.Error(Error(reason));
        return entry;
    }
}
