using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>The journal as the stores write it: one entry per applied commit, in the commit's transaction, with its pickle.</summary>
public abstract class JournalTests(StoreKind kind, StoreCalls calls = StoreCalls.Sync) : StoreTest(kind, calls)
{
    private static JournalEntry Entry(string worker, Action<JournalEntry> fill)
    {
        var entry = new JournalEntry(worker: worker) { DurationMicros = 1234 };
        fill(entry);
        return entry;
    }

    [Fact]
    public void Every_applied_commit_is_a_numbered_entry_with_its_document_and_pickle()
    {
        Start("i1");
        var first = ClaimOne("i1");
        var commit = Turn(first, activities: [new ActivityRequest(1, "charge", "[5]", 2, null)]);
        CommitOne(new TurnCommit
        {
            InstanceId = commit.InstanceId, Revision = commit.Revision, Status = commit.Status, Pickle = commit.Pickle,
            Activities = commit.Activities,
            Journal = Entry("w1", e =>
            {
                e.ConsumedStart("{}");
                e.Started("i1", commit.Activities, [], [], []);
                e.Output("hello\n");
            }),
        });
        Store.Signal("i1", "go", "{\"n\": 1}");
        var second = ClaimOne("i1");
        Assert.Equal(1, second.Inbox.Count);
        // A stale commit writes no entry.
        Assert.Null(CommitOne(Turn(first)));
        CommitOne(new TurnCommit
        {
            InstanceId = "i1", Revision = second.Revision, Status = InstanceStatus.Completed, ResultJson = "7",
            ConsumedThrough = second.Inbox[^1].Id,
            Journal = Entry("w2", e =>
            {
                e.Consumed(second.Inbox[0], null, delivered: true);
                e.Result("7");
            }),
        });

        var page = Store.GetHistory("i1", 0, 50)!;
        Assert.Null(page.NextAfterTurn);
        Assert.Equal([1, 2], page.Entries.Select(e => e.Turn));
        var (one, two) = (page.Entries[0], page.Entries[1]);
        Assert.Equal(("turn", "w1", 1234L, InstanceStatus.Waiting, 3, true), (one.Kind, one.Worker, one.DurationMicros, one.Status, one.PickleBytes, one.HasPickle));
        Assert.Equal(Now, one.At);
        var doc = JObject.Parse(one.EntryJson);
        Assert.Equal("start", (string?)doc["consumed"]![0]!["kind"]);
        Assert.Equal("charge", (string?)doc["started"]![0]!["name"]);
        Assert.Equal(5, (int)doc["started"]![0]!["arguments"]![0]!);
        Assert.Equal(2, (int)doc["started"]![0]!["retries"]!);
        Assert.Equal("hello\n", (string?)doc["output"]);
        Assert.Equal((InstanceStatus.Completed, 0, false), (two.Status, two.PickleBytes, two.HasPickle));
        var doc2 = JObject.Parse(two.EntryJson);
        Assert.Equal(1, (int)doc2["consumed"]![0]!["payload"]!["n"]!);
        Assert.Equal("go", (string?)doc2["consumed"]![0]!["name"]);
        Assert.Equal(7, (int)doc2["result"]!);
        Assert.Equal(2, Store.GetInstance("i1")!.Turns);

        Assert.Equal([1, 2, 3], Store.GetTurnPickle("i1", 1)!.Pickle);
        Assert.Null(Store.GetTurnPickle("i1", 2)!.Pickle);
        Assert.Null(Store.GetTurnPickle("i1", 3));
        Assert.Null(Store.GetHistory("nobody", 0, 50));
    }

    [Fact]
    public void History_pages_in_turn_order_with_a_cursor()
    {
        Start("i1");
        for (int i = 0; i < 5; i++)
        {
            Store.Signal("i1", "s", i.ToString());
            CommitOne(Turn(ClaimOne("i1")));
        }
        var first = Store.GetHistory("i1", 0, 2)!;
        Assert.Equal([1, 2], first.Entries.Select(e => e.Turn));
        Assert.Equal(2, first.NextAfterTurn);
        var second = Store.GetHistory("i1", first.NextAfterTurn!.Value, 2)!;
        Assert.Equal([3, 4], second.Entries.Select(e => e.Turn));
        var last = Store.GetHistory("i1", second.NextAfterTurn!.Value, 2)!;
        Assert.Equal([5], last.Entries.Select(e => e.Turn));
        Assert.Null(last.NextAfterTurn);
        // A commit built without a journal entry (the stores' own tests) still takes its number.
        Assert.Equal("{}", last.Entries[0].EntryJson);
    }

    [Fact]
    public void An_activity_outcome_carries_its_attempts_to_the_turn()
    {
        Start("i1");
        CommitOne(Turn(ClaimOne("i1"), activities: [new ActivityRequest(1, "charge", "[]", 3, null)]));
        var task = Store.ClaimActivities("aw", 1, Now, Now.AddMinutes(1)).Single();
        Assert.True(Store.RecordActivityAttempt(task.Id, "aw", 2, "boom", Now.AddMinutes(1)));
        Store.CompleteActivities([new ActivityOutcome(task.Id, "i1", 1, "\"ok\"", null)]);
        var entry = ClaimOne("i1").Inbox.Single();
        Assert.Equal((InboxKind.ActivityCompleted, 2), (entry.Kind, entry.Attempts));
    }
}

public sealed class JournalTestsOnSqlite() : JournalTests(StoreKind.Sqlite);

public sealed class JournalTestsOnPostgres() : JournalTests(StoreKind.Postgres);

public sealed class JournalTestsOnSqliteAsync() : JournalTests(StoreKind.Sqlite, StoreCalls.Async);

public sealed class JournalTestsOnPostgresAsync() : JournalTests(StoreKind.Postgres, StoreCalls.Async);
