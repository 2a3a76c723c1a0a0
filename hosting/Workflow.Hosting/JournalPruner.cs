using Microsoft.Extensions.Logging;
using Workflow.Durable;

namespace Workflow.Hosting;

/// <summary>What the worker's journal pruner keeps, and how often it prunes.</summary>
internal sealed class JournalPrunerOptions
{
    public JournalRetention Retention { get; init; } = new();

    /// <summary>The time between two passes over the journal. The default value is 1 minute.</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The worker's side of the journal's retention: every [Every], one pass over the journal
/// (IWorkflowStore.PruneJournal calls chained until the walk reaches the end), each call a short
/// transaction of its own so the turns' commits never wait long behind it. Every worker prunes; two
/// passes at once only find less to do. The time is the worker's clock, so tests move it.
/// A failed pass is logged and the next one tries again: it never stops the worker.
/// </summary>
internal sealed class JournalPruner(IWorkflowStore store, JournalPrunerOptions options, TimeProvider clock, ILogger logger)
{
    public async Task RunAsync(CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(options.Every, clock, stop);
                Pass(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "pruning the journal failed; trying again in {Every}", options.Every);
            }
        }
    }

    /// <summary>One pass over the journal, stopped between calls by [stop]; returns its totals (Next null).</summary>
    public JournalPruning Pass(CancellationToken stop)
    {
        int deleted = 0, dropped = 0, calls = 0;
        string? from = null;
        do
        {
            stop.ThrowIfCancellationRequested();
            var step = store.PruneJournal(clock.GetUtcNow().UtcDateTime, options.Retention, from);
            (deleted, dropped, from, calls) = (deleted + step.EntriesDeleted, dropped + step.PicklesDropped, step.Next, calls + 1);
        } while (from != null);
        if (deleted + dropped > 0)
            logger.LogInformation("pruned the journal: deleted {Deleted} entries of instances finished more than {KeepFinishedFor} ago and dropped {Dropped} pickles older than an instance's newest {PicklesPerInstance}, in {Calls} transactions",
                deleted, options.Retention.KeepFinishedFor, dropped, options.Retention.PicklesPerInstance, calls);
        else logger.LogDebug("pruned the journal: nothing to prune ({Calls} transactions)", calls);
        return new JournalPruning(deleted, dropped, null);
    }
}
