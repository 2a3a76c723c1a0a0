using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting.Tests;

/// <summary>The worker prunes the journal on its own, by its own clock.</summary>
public class JournalPrunerTests : HostingTest
{
    [Fact]
    public async Task The_worker_deletes_a_finished_instances_journal_once_its_clock_is_past_the_keep_and_leaves_a_running_ones()
    {
        Store.SaveProgram("waiter", "def main(input):\n    return await signal('go')\n", "hash-waiter");
        var clock = new ShiftedClock(TimeSpan.Zero);
        var options = new DurableWorkerOptions
        {
            Turns = new WorkerOptions { Clock = clock },
            Journal = new JournalPrunerOptions { Every = TimeSpan.FromMilliseconds(50) },
        };
        var worker = new DurableWorker(Store, new WorkflowDatabase.Sqlite(DatabasePath), new ActivityRegistry(), options);
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        try
        {
            Store.StartInstance(new NewInstance("done", "order", Hash, "1"));
            Store.StartInstance(new NewInstance("live", "waiter", "hash-waiter", null));
            worker.Wake();
            await WaitFor(() => Store.GetInstance("done")!.Status == InstanceStatus.Completed && Entries("live").Count == 1, "both first turns");
            Assert.Single(Entries("done"));

            clock.Offset = TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1);
            await WaitFor(() => Entries("done").Count == 0, "the pruner to delete the finished instance's journal");
            Assert.Equal(InstanceStatus.Completed, Store.GetInstance("done")!.Status);
            Assert.Single(Entries("live"));
        }
        finally
        {
            stop.Cancel();
            await running;
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_failing_pass_is_logged_and_the_next_one_runs()
    {
        var store = new FailingOnce(Store);
        var logger = new ListLogger<JournalPruner>();
        var pruner = new JournalPruner(store, new JournalPrunerOptions { Every = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, logger);
        using var stop = new CancellationTokenSource();
        var running = pruner.RunAsync(stop.Token);
        await WaitFor(() => store.Calls >= 2, "a second pass");
        stop.Cancel();
        await running;
        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("disk on fire", error.Exception!.Message);
        Assert.Contains("pruning the journal failed", error.Message);
    }

    [Fact]
    public void Journal_options_are_checked_at_start_and_make_the_pruners_policy()
    {
        var options = new WorkflowOptions { DatabasePath = "wf.db" };
        options.Journal.KeepFinishedFor = TimeSpan.FromSeconds(-1);
        options.Journal.PicklesPerInstance = 0;
        options.Journal.PruneEvery = TimeSpan.Zero;
        Assert.Equal(["Journal.KeepFinishedFor", "Journal.PicklesPerInstance", "Journal.PruneEvery"], options.Problems().Select(p => p.Split(' ')[0]));

        var defaults = new JournalOptions().PrunerOptions();
        Assert.Equal((TimeSpan.FromDays(7), 1000, TimeSpan.FromMinutes(1)), (defaults.Retention.KeepFinishedFor, defaults.Retention.PicklesPerInstance, defaults.Every));
        var chosen = new JournalOptions { KeepFinishedFor = TimeSpan.FromDays(30), PicklesPerInstance = 10, PruneEvery = TimeSpan.FromMinutes(5) }.PrunerOptions();
        Assert.Equal((TimeSpan.FromDays(30), 10, TimeSpan.FromMinutes(5)), (chosen.Retention.KeepFinishedFor, chosen.Retention.PicklesPerInstance, chosen.Every));
    }

    private sealed class FailingOnce(IWorkflowStore inner) : Workflow.Tests.Shared.PassThroughStore(inner)
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);

        public override JournalPruning PruneJournal(DateTime now, JournalRetention policy, string? from = null) =>
            Interlocked.Increment(ref _calls) == 1 ? throw new IOException("disk on fire") : base.PruneJournal(now, policy, from);
    }

    private IReadOnlyList<JournalRow> Entries(string id) => Store.GetHistory(id, 0, 1000)!.Entries;

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited too long for {what}");
            await Task.Delay(10);
        }
    }
}
