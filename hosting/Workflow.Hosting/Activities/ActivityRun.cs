using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Hosting.Activities;

/// <summary>
/// One claimed task on its way through its pipeline: counts the attempts (starting from the count
/// stored before this claim, so a crash does not reset the budget), runs the handler for each, and
/// records every failed attempt in the store before the retry's delay.
/// </summary>
internal sealed class ActivityRun(ActivityWorker worker, ActivityTask task, ActivityHandler handler, JArray arguments, int budget, TimeSpan timeout, CancellationToken stopping)
{
    /// <summary>Attempts made so far, this claim's included once it has started one.</summary>
    public int Made { get; private set; } = task.Attempts - 1;

    /// <summary>Set when recording a failed attempt failed: the run stops without an outcome, and another claim goes on from the stored count.</summary>
    public Exception? RecordFailure { get; private set; }

    public async ValueTask<JToken?> AttemptAsync(CancellationToken cancellationToken)
    {
        if (RecordFailure != null) throw new AttemptNotRecordedException(task, RecordFailure);
        Made++;
        // A handler may change its arguments; a retry gets them as they were stored.
        var args = Made == task.Attempts ? arguments : (JArray)arguments.DeepClone();
        return await handler(new ActivityContext(task.Name, args, task.IdempotencyKey, Made, cancellationToken));
    }

    /// <summary>Retry after [error] while budget is left; never after a shutdown, nor once the store could not record an attempt.</summary>
    public bool ShouldRetry(Exception? error) =>
        error != null
        && RecordFailure == null
        && !(error is OperationCanceledException && stopping.IsCancellationRequested)
        && Made < budget;

    /// <summary>Records the failed attempt and that the next starts (with a lease that covers [delay] and the attempt).</summary>
    public ValueTask OnRetry(Exception error, TimeSpan delay)
    {
        var message = ActivityPipelines.Describe(error, task.Name, timeout);
        worker.LogRetry(task, Made, budget, message, delay);
        try
        {
            worker.Store.RecordActivityAttempt(task.Id, Made + 1, message, worker.Now() + delay + worker.LeaseFor(timeout));
        }
        catch (Exception e)
        {
            RecordFailure = e;
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>The store could not record a failed attempt, so the run stops rather than spend budget nobody counted.</summary>
internal sealed class AttemptNotRecordedException(ActivityTask task, Exception cause)
    : Exception($"could not record a failed attempt of activity task {task.Id} ({task.IdempotencyKey}): {cause.Message}", cause);
