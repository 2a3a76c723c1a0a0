using Microsoft.Extensions.Logging;
using Workflow.Durable;

namespace Workflow.Hosting.Timers;

/// <summary>
/// Fires the timer rows that are due, in group commits: wake-ups that arrive while a round is in
/// flight are served by the next round, which reads the rows due by the latest of their times
/// (DueTimers) and fires them (FireTimers, one transaction per thousand rows). A failed round is
/// retried with backoff until it succeeds or the scheduler stops; a row left unfired at a stop
/// fires after the next start's reconcile (the row is the truth).
/// </summary>
internal sealed class TimerFirer(IWorkflowStore store, ILogger logger, Action? onFired)
{
    /// <summary>The most rows read and fired in one transaction.</summary>
    public const int MaxBatch = 1000;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private List<(DateTime Due, TaskCompletionSource Done)> _pending = new();
    private bool _firing;

    /// <summary>Fires every row due by [due]; completes once they are fired, or fails when [stopping] came first.</summary>
    public Task FireDueAsync(DateTime due, CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _pending.Add((due, done));
            start = !_firing;
            _firing = true;
        }
        if (start) _ = Task.Run(() => FireLoopAsync(stopping));
        return done.Task;
    }

    private async Task FireLoopAsync(CancellationToken stopping)
    {
        while (true)
        {
            List<(DateTime Due, TaskCompletionSource Done)> round;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _firing = false;
                    return;
                }
                round = _pending;
                _pending = new();
            }
            var due = round.Max(r => r.Due);
            var error = await FireWithRetryAsync(due, stopping);
            foreach (var r in round)
            {
                if (error == null) r.Done.TrySetResult();
                else r.Done.TrySetException(error);
            }
        }
    }

    /// <summary>Fires everything due by [due]; returns the error it gave up with at a stop, or null.</summary>
    private async Task<Exception?> FireWithRetryAsync(DateTime due, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                var fired = FireDue(due);
                if (fired > 0) Notify();
                return null;
            }
            catch (Exception e)
            {
                if (stopping.IsCancellationRequested)
                {
                    logger.LogError(e, "Could not fire the timers due by {Due:O} while stopping; they fire after the next start", due);
                    return e;
                }
                logger.LogError(e, "Could not fire the timers due by {Due:O}; retrying in {Delay}", due, backoff);
                try
                {
                    await Task.Delay(backoff, stopping);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last try above, then give up.
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private int FireDue(DateTime due)
    {
        var fired = 0;
        while (true)
        {
            var rows = store.DueTimers(due, MaxBatch);
            if (rows.Count > 0) fired += store.FireTimers(rows);
            if (rows.Count < MaxBatch) return fired;
        }
    }

    private void Notify()
    {
        try
        {
            onFired?.Invoke();
        }
        catch (Exception e)
        {
            logger.LogError(e, "The callback after firing timers failed");
        }
    }
}
