using Microsoft.Extensions.Logging;
using Workflow.Durable;

namespace Workflow.Hosting.Activities;

/// <summary>
/// Group commit for activity outcomes: whatever finished while the previous write was in flight goes
/// into the next CompleteActivities call, one transaction for the lot, so a burst of short tasks
/// costs a few transactions rather than one each. A write that fails is retried with backoff (the
/// outcomes are not dropped); at shutdown it gives up, and the tasks run again once their leases end.
/// </summary>
internal sealed class OutcomeWriter(IWorkflowStore store, ILogger logger, TimeProvider time, Action? onWritten)
{
    /// <summary>The most outcomes in one transaction.</summary>
    public const int MaxBatch = 512;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private List<Pending> _pending = new();
    private bool _writing;

    private readonly record struct Pending(ActivityOutcome Outcome, TaskCompletionSource Done);

    /// <summary>Queues [outcome]; the task completes once it is committed, or fails when it could not be before [stopping].</summary>
    public Task WriteAsync(ActivityOutcome outcome, CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _pending.Add(new Pending(outcome, done));
            start = !_writing;
            _writing = true;
        }
        if (start) _ = Task.Run(() => WriteLoopAsync(stopping));
        return done.Task;
    }

    private async Task WriteLoopAsync(CancellationToken stopping)
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }
                if (_pending.Count <= MaxBatch)
                {
                    batch = _pending;
                    _pending = new List<Pending>();
                }
                else
                {
                    batch = _pending.GetRange(0, MaxBatch);
                    _pending.RemoveRange(0, MaxBatch);
                }
            }
            await WriteBatchAsync(batch, stopping);
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch, CancellationToken stopping)
    {
        var outcomes = batch.Select(p => p.Outcome).ToArray();
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                store.CompleteActivities(outcomes);
                break;
            }
            catch (Exception e)
            {
                if (stopping.IsCancellationRequested)
                {
                    logger.LogError(e, "Could not write {Count} activity outcomes while stopping; their tasks run again once their leases expire", outcomes.Length);
                    foreach (var p in batch) p.Done.TrySetException(e);
                    return;
                }
                logger.LogError(e, "Could not write {Count} activity outcomes; retrying in {Delay}", outcomes.Length, backoff);
                try
                {
                    await Task.Delay(backoff, time, stopping);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last try above, then give up.
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        foreach (var p in batch) p.Done.TrySetResult();
        try
        {
            onWritten?.Invoke();
        }
        catch (Exception e)
        {
            logger.LogError(e, "The callback after writing activity outcomes failed");
        }
    }
}
