using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>The journal's retention as the stores apply it (IWorkflowStore.PruneJournal), on both databases.</summary>
public abstract class JournalRetentionTests(StoreKind kind) : StoreTest(kind)
{
    private static readonly JournalRetention Defaults = new();

    /// <summary>[id] started and [turns] turns committed, each waiting with a 3-byte pickle (a signal before each but the first).</summary>
    private void Waiting(string id, int turns)
    {
        Start(id);
        for (var i = 0; i < turns; i++)
        {
            if (i > 0) Store.Signal(id, "s", i.ToString());
            Assert.NotNull(CommitOne(Turn(ClaimOne(id))));
        }
    }

    /// <summary>[id] with [turns] waiting turns, then a last one that completes it (no pickle): it finishes now.</summary>
    private void Finished(string id, int turns = 1)
    {
        Waiting(id, turns);
        Store.Signal(id, "s", "0");
        Assert.NotNull(CommitOne(Turn(ClaimOne(id), InstanceStatus.Completed, result: "1")));
    }

    private IReadOnlyList<JournalRow> Entries(string id) => Store.GetHistory(id, 0, 10_000)!.Entries;

    /// <summary>A whole pass over the journal, as the worker's pruner runs it: calls chained by Next; each checked against the batch bound.</summary>
    private (int Deleted, int Dropped, int Calls) Pass(JournalRetention? policy = null)
    {
        policy ??= Defaults;
        int deleted = 0, dropped = 0, calls = 0;
        string? from = null;
        do
        {
            var step = Store.PruneJournal(Now, policy, from);
            Assert.True(step.EntriesDeleted + step.PicklesDropped <= policy.BatchSize, $"a call changed {step.EntriesDeleted + step.PicklesDropped} rows");
            (deleted, dropped, from, calls) = (deleted + step.EntriesDeleted, dropped + step.PicklesDropped, step.Next, calls + 1);
            Assert.True(calls < 1000, "the pass does not end");
        } while (from != null);
        return (deleted, dropped, calls);
    }

    [Fact]
    public void A_finished_instances_journal_is_kept_seven_days_then_deleted_and_the_instance_stays()
    {
        Finished("done", turns: 2);
        Waiting("live", turns: 2);
        Assert.Equal(3, Entries("done").Count);

        Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal((0, 0), (Pass().Deleted, Pass().Dropped));
        Assert.Equal(3, Entries("done").Count);

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(3, Pass().Deleted);
        Assert.Empty(Entries("done"));
        var instance = Store.GetInstance("done")!;
        Assert.Equal((InstanceStatus.Completed, "1", 3), (instance.Status, instance.ResultJson, instance.Turns));
        Assert.Equal(2, Entries("live").Count);
    }

    [Fact]
    public void A_running_instances_journal_is_never_deleted_however_old()
    {
        Waiting("live", turns: 3);
        Start("fresh"); // never ran: no entries at all
        Clock.Advance(TimeSpan.FromDays(3650));
        Assert.Equal(0, Pass().Deleted);
        Assert.Equal([1, 2, 3], Entries("live").Select(e => e.Turn));
        Assert.All(Entries("live"), e => Assert.True(e.HasPickle));
    }

    [Fact]
    public void Pickles_beyond_the_newest_N_are_dropped_oldest_first_in_bounded_batches_and_the_entries_stay()
    {
        var policy = new JournalRetention { PicklesPerInstance = 3, BatchSize = 4 };
        Waiting("p", turns: 4);
        // A turn that committed no pickle, among those that did: it has nothing to drop and must not stop the drop.
        Store.Signal("p", "s", "x");
        var unpickled = Turn(ClaimOne("p"), InstanceStatus.Running);
        Assert.Null(unpickled.Pickle);
        Assert.NotNull(CommitOne(unpickled));
        for (var i = 0; i < 5; i++)
        {
            Store.Signal("p", "s", i.ToString());
            Assert.NotNull(CommitOne(Turn(ClaimOne("p"))));
        }
        // Turns 1-4 and 6-10 have pickles, 5 has none; the newest 3 are 8-10.
        var first = Store.PruneJournal(Now, policy);
        Assert.Equal((0, 4, "p"), (first.EntriesDeleted, first.PicklesDropped, first.Next));
        var second = Store.PruneJournal(Now, policy, first.Next);
        Assert.Equal((0, 2, null), (second.EntriesDeleted, second.PicklesDropped, second.Next));

        var entries = Entries("p");
        Assert.Equal(Enumerable.Range(1, 10), entries.Select(e => e.Turn));
        Assert.Equal(Enumerable.Range(8, 3), entries.Where(e => e.HasPickle).Select(e => e.Turn));
        // The size is kept with the entry.
        Assert.Equal([3, 3, 3, 3, 0, 3, 3, 3, 3, 3], entries.Select(e => e.PickleBytes));
        Assert.Null(Store.GetTurnPickle("p", 7)!.Pickle);
        Assert.Equal([1, 2, 3], Store.GetTurnPickle("p", 8)!.Pickle);

        // Nothing more until the instance moves on; then only what fell out of the newest 3.
        Assert.Equal(0, Pass(policy).Dropped);
        for (var i = 0; i < 2; i++)
        {
            Store.Signal("p", "s", i.ToString());
            Assert.NotNull(CommitOne(Turn(ClaimOne("p"))));
        }
        Assert.Equal(2, Pass(policy).Dropped);
        Assert.Equal([10, 11, 12], Entries("p").Where(e => e.HasPickle).Select(e => e.Turn));
    }

    [Fact]
    public void An_expired_journal_is_deleted_in_bounded_batches_and_a_pass_visits_every_instance()
    {
        var policy = new JournalRetention { BatchSize = 4, PicklesPerInstance = 1 };
        Finished("a", turns: 9); // 10 entries
        Finished("b", turns: 2); // 3 entries
        for (var i = 0; i < 6; i++) Waiting($"w{i}", turns: 2); // more instances than a call visits
        Clock.Advance(TimeSpan.FromDays(8));

        var first = Store.PruneJournal(Now, policy);
        Assert.Equal((4, 0, "a"), (first.EntriesDeleted, first.PicklesDropped, first.Next));
        Assert.Equal(Enumerable.Range(5, 6), Entries("a").Select(e => e.Turn));

        var (deleted, dropped, calls) = Pass(policy);
        Assert.Equal(6 + 3, deleted);
        Assert.Equal(6, dropped); // each waiting instance's first turn
        Assert.True(calls >= 4, $"{calls} calls");
        Assert.Empty(Entries("a"));
        Assert.Empty(Entries("b"));
        for (var i = 0; i < 6; i++) Assert.Equal([false, true], Entries($"w{i}").Select(e => e.HasPickle));
    }
}

public sealed class JournalRetentionTestsOnSqlite() : JournalRetentionTests(StoreKind.Sqlite);

public sealed class JournalRetentionTestsOnPostgres() : JournalRetentionTests(StoreKind.Postgres);
