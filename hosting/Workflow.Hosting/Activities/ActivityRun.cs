using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Hosting.Activities;

/// <summary>
/// One claimed task on its way through its pipeline: counts the attempts (starting from the count
/// stored before this claim, so a crash does not reset the budget), runs the handler for each,
/// records every failed attempt in the store before the retry's delay, and makes sure, before each
/// retry, that the task is still this worker's to run. Abandoned (the task is gone or taken over),
/// it cancels its token and runs nothing more.
/// </summary>
internal sealed class ActivityRun : IDisposable
{
    private readonly ActivityWorker _worker;
    private readonly ActivityHandler _handler;
    private readonly JArray _arguments;
    private readonly int _budget;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _cancel;
    private volatile string? _abandonedBecause;

    public ActivityRun(ActivityWorker worker, ActivityTask task, ActivityHandler handler, JArray arguments, int budget, TimeSpan timeout, CancellationToken stopping)
    {
        _worker = worker;
        Task = task;
        _handler = handler;
        _arguments = arguments;
        _budget = budget;
        _timeout = timeout;
        _stopping = stopping;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Made = task.Attempts - 1;
    }

    public ActivityTask Task { get; }

    /// <summary>Attempts made so far, this claim's included once it has started one.</summary>
    public int Made { get; private set; }

    /// <summary>Set when recording a failed attempt failed: the run stops without an outcome, and another claim goes on from the stored count.</summary>
    public Exception? RecordFailure { get; private set; }

    /// <summary>Cancelled when the worker stops or the run is abandoned; the pipeline's (and so each attempt's) token.</summary>
    public CancellationToken Cancellation => _cancel.Token;

    /// <summary>Why the run was abandoned, or null while it is still wanted.</summary>
    public string? AbandonedBecause => _abandonedBecause;

    /// <summary>Stops the run: the running attempt's token fires, and no attempt follows.</summary>
    public void Abandon(string reason)
    {
        _abandonedBecause ??= reason;
        try { _cancel.Cancel(); }
        catch (ObjectDisposedException) { /* the run ended meanwhile */ }
    }

    public async ValueTask<JToken?> AttemptAsync(CancellationToken cancellationToken)
    {
        if (RecordFailure != null) throw new AttemptNotRecordedException(Task, RecordFailure);
        // A retry (not the claim's first attempt) runs only while the task is still this worker's:
        // a cancel that committed during the backoff deleted it, and nothing may be called after that.
        if (Made >= Task.Attempts && _abandonedBecause == null
            && _worker.Store.RenewActivityLeases(_worker.WorkerId, [Task.Id], _worker.Now() + _worker.LeaseDuration).Count == 0)
            Abandon("its instance no longer waits for it, or another worker took it over");
        if (_abandonedBecause != null) throw new OperationCanceledException($"activity task {Task.IdempotencyKey} was abandoned: {_abandonedBecause}");
        Made++;
        // A handler may change its arguments; a retry gets them as they were stored.
        var args = Made == Task.Attempts ? _arguments : (JArray)_arguments.DeepClone();
        return await _handler(new ActivityContext(Task.Name, args, Task.IdempotencyKey, Made, cancellationToken));
    }

    /// <summary>Retry after [error] while budget is left; never after a shutdown or an abandon, nor once the store could not record an attempt.</summary>
    public bool ShouldRetry(Exception? error) =>
        error != null
        && RecordFailure == null
        && _abandonedBecause == null
        && !(error is OperationCanceledException && _stopping.IsCancellationRequested)
        && Made < _budget;

    /// <summary>Records the failed attempt and that the next starts (with a lease that covers [delay] and the attempt).</summary>
    public ValueTask OnRetry(Exception error, TimeSpan delay)
    {
        var message = ActivityPipelines.Describe(error, Task.Name, _timeout);
        _worker.LogRetry(Task, Made, _budget, message, delay);
        try
        {
            if (!_worker.Store.RecordActivityAttempt(Task.Id, _worker.WorkerId, Made + 1, message, _worker.Now() + delay + _worker.LeaseDuration))
                Abandon("its instance no longer waits for it, or another worker took it over");
        }
        catch (Exception e)
        {
            RecordFailure = e;
        }
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _cancel.Dispose();
}

/// <summary>The store could not record a failed attempt, so the run stops rather than spend budget nobody counted.</summary>
internal sealed class AttemptNotRecordedException(ActivityTask task, Exception cause)
    : Exception($"could not record a failed attempt of activity task {task.Id} ({task.IdempotencyKey}): {cause.Message}", cause);
