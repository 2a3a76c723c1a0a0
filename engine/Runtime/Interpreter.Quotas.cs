using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// Per-instance quotas on what a workflow keeps alive: tasklets and pending activities, timers and
/// children (InterpreterOptions.MaxTasklets and MaxPending*), and on the payloads it hands out
/// (MaxPayloadBytes). Past one, the operation that would break it raises RuntimeError (ValueError
/// for a payload) naming the limit: the workflow may catch it, and if it does not, the instance
/// fails with that message.
/// </summary>
/// <remarks>
/// The counts are taken only once the lists they come from reach the limit, so an instance well
/// under its quotas pays nothing for them.
/// </remarks>
internal sealed partial class Interpreter
{
    private void CheckTaskletQuota()
    {
        int limit = Options.MaxTasklets;
        if (limit <= 0 || Tasklets.Count < limit) return;
        int live = 0;
        foreach (var t in Tasklets)
            if (!t.IsDone) live++;
        if (live >= limit)
            throw Errors.RuntimeError($"too many live tasklets: {live:N0} are running or blocked, and the limit is {limit:N0} per instance (MaxTasklets)");
    }

    private void CheckPendingQuota(FutureKind kind)
    {
        var (limit, what, option) = kind switch
        {
            FutureKind.Activity => (Options.MaxPendingActivities, "activities", "MaxPendingActivities"),
            FutureKind.Timer => (Options.MaxPendingTimers, "timers", "MaxPendingTimers"),
            FutureKind.Child => (Options.MaxPendingChildren, "child workflows", "MaxPendingChildren"),
            _ => (0, "", ""),
        };
        if (limit <= 0 || PendingFutures.Count < limit) return;
        int pending = 0;
        foreach (var f in PendingFutures)
            if (f.Kind == kind) pending++;
        if (pending >= limit)
            throw Errors.RuntimeError($"too many pending {what}: {pending:N0} started and not settled, and the limit is {limit:N0} per instance ({option})");
    }

    /// <summary>Raises ValueError when [json], [what] (an activity's arguments, a child's input), is over MaxPayloadBytes.</summary>
    public void CheckPayload(string json, string what)
    {
        if (Durable.PayloadLimits.BytesOver(json, Options.MaxPayloadBytes) is { } bytes)
            throw Errors.ValueError($"{what} is {ByteSizes.Describe(bytes)} of JSON, over the limit of {ByteSizes.Describe(Options.MaxPayloadBytes)} for one payload (MaxPayloadBytes)");
    }
}
