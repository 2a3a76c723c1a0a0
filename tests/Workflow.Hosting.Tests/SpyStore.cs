using System.Collections.Concurrent;
using Workflow.Durable;
using Workflow.Tests.Shared;

namespace Workflow.Hosting.Tests;

/// <summary>
/// The real store with a window on the calls the hosting code makes: it records the activity and
/// timer calls, and can make the next few ClaimActivities fail as a broken database would.
/// Everything goes through to the real store.
/// </summary>
internal sealed class SpyStore(IWorkflowStore inner) : PassThroughStore(inner)
{
    public readonly ConcurrentQueue<(long TaskId, int Attempts, string Error)> Recorded = new();
    public readonly ConcurrentQueue<int> CompleteBatches = new();
    public readonly ConcurrentQueue<(TimerRow Row, DateTime FiredAt)> Fired = new();
    public int ClaimFailuresLeft;
    /// <summary>Called after each RecordActivityAttempt with the task id: what another process does during a retry's backoff.</summary>
    public Action<long>? AfterRecord;
    public int Claims;

    /// <summary>Commits it says true of are refused, with every commit grouped with them, as a database refuses a row too big.</summary>
    public Func<TurnCommit, bool>? RefuseCommit;
    public int CommitCalls;

    public override IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits)
    {
        Interlocked.Increment(ref CommitCalls);
        if (RefuseCommit is { } refuse && commits.Any(refuse)) throw new InvalidOperationException("string or blob too big (simulated)");
        return Inner.CommitTurns(commits);
    }

    public override IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        Interlocked.Increment(ref Claims);
        if (Interlocked.Decrement(ref ClaimFailuresLeft) >= 0) throw new InvalidOperationException("database is locked (simulated)");
        return Inner.ClaimActivities(worker, max, now, leaseUntil);
    }

    public override bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil)
    {
        Recorded.Enqueue((taskId, attempts, error));
        var recorded = Inner.RecordActivityAttempt(taskId, worker, attempts, error, leaseUntil);
        AfterRecord?.Invoke(taskId);
        return recorded;
    }

    public override void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        Inner.CompleteActivities(outcomes);
        CompleteBatches.Enqueue(outcomes.Count);
    }

    public override int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        var fired = Inner.FireTimers(timers);
        var at = DateTime.UtcNow;
        foreach (var row in timers) Fired.Enqueue((row, at));
        return fired;
    }
}
