using Workflow.Durable;

namespace Workflow.Persistence.Tests;

public abstract class TimerTests(StoreKind kind) : StoreTest(kind)
{
    [Fact]
    public void Due_timers_come_earliest_first_and_fire_once()
    {
        var claimed = ClaimOne(Start("i1").Id);
        CommitOne(Turn(claimed, timers:
        [
            new TimerRequest(1, Now.AddSeconds(30)),
            new TimerRequest(2, Now.AddSeconds(10)),
            new TimerRequest(3, Now.AddHours(1)),
        ]));
        Assert.Equal([2, 1, 3], Store.ListTimers().Select(t => t.Sequence));
        Assert.Equal(new WorkSummary(0, 0, 3, Now.AddSeconds(10)), Store.Summary());

        Assert.Empty(Store.DueTimers(Now.AddSeconds(9), 10));
        var due = Store.DueTimers(Now.AddSeconds(30), 10);
        Assert.Equal([new TimerRow("i1", 2, Now.AddSeconds(10)), new TimerRow("i1", 1, Now.AddSeconds(30))], due);
        Assert.Single(Store.DueTimers(Now.AddSeconds(30), 1));

        Assert.Equal(2, Store.FireTimers(due));
        Assert.Equal(0, Store.FireTimers(due)); // Quartz firing again after a restart
        Assert.Equal([3], Store.ListTimers().Select(t => t.Sequence));

        var inbox = ClaimOne("i1").Inbox;
        Assert.Equal([(InboxKind.TimerFired, 2), (InboxKind.TimerFired, 1)], inbox.Select(e => (e.Kind, e.Sequence)));
    }

    [Fact]
    public void Timers_survive_reopening_the_database()
    {
        CommitOne(Turn(ClaimOne(Start("i1").Id), timers: [new TimerRequest(1, Now.AddDays(1))]));
        Reopen();
        Assert.Equal([new TimerRow("i1", 1, Now.AddDays(1))], Store.ListTimers());
    }
}

public sealed class TimerTestsOnSqlite() : TimerTests(StoreKind.Sqlite);

public sealed class TimerTestsOnPostgres() : TimerTests(StoreKind.Postgres);
