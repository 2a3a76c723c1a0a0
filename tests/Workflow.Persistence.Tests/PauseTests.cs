using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>Pause and resume (`wf pause`, `wf resume`): the flag that keeps workers off an instance while its inbox fills.</summary>
public abstract class PauseTests(StoreKind kind, StoreCalls calls = StoreCalls.Sync) : StoreTest(kind, calls)
{
    [Fact]
    public void Pause_and_resume_say_what_they_did_and_doing_either_twice_changes_nothing()
    {
        Assert.Equal(DeliveryResult.NotFound, Store.Pause("nope"));
        Assert.Equal(DeliveryResult.NotFound, Store.Resume("nope"));

        var started = Start("i1");
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryResult.Accepted, Store.Pause("i1"));
        var paused = Store.GetInstance("i1")!;
        Assert.Equal(InstanceStatus.Paused, paused.Status);
        Assert.Equal(Now, paused.UpdatedAt);
        Assert.Equal(started.Turns, paused.Turns);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryResult.Accepted, Store.Pause("i1"));
        Assert.Equal(paused, Store.GetInstance("i1")!);

        Assert.Equal(DeliveryResult.Accepted, Store.Resume("i1"));
        var resumed = Store.GetInstance("i1")!;
        Assert.Equal(InstanceStatus.Running, resumed.Status);
        Assert.Equal(Now, resumed.UpdatedAt);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryResult.Accepted, Store.Resume("i1"));
        Assert.Equal(resumed, Store.GetInstance("i1")!);

        CommitOne(Turn(ClaimOne("i1"), InstanceStatus.Completed, "1"));
        Assert.Equal(DeliveryResult.AlreadyFinished, Store.Pause("i1"));
        Assert.Equal(DeliveryResult.AlreadyFinished, Store.Resume("i1"));
        Assert.Equal(InstanceStatus.Completed, Store.GetInstance("i1")!.Status);
    }

    [Fact]
    public void A_paused_instance_is_not_claimed_and_what_arrives_meanwhile_is_delivered_in_arrival_order_after_resume()
    {
        Start("p");
        var first = ClaimOne("p");
        CommitOne(Turn(first,
            activities: [new ActivityRequest(1, "charge", "[40]", null, null)],
            timers: [new TimerRequest(2, Now.AddMinutes(1))],
            children: [new ChildRequest(3, "order", "{}")]));
        Assert.Equal(DeliveryResult.Accepted, Store.Pause("p"));
        var child = ClaimOne(ChildInstances.Id("p", 3));

        // Each of the five kinds of arrival, a second apart; none makes p claimable.
        Clock.Advance(TimeSpan.FromSeconds(1));
        var task = Store.ClaimActivities("aw", 10, Now, Now.AddMinutes(5)).Single();
        Store.CompleteActivities([new ActivityOutcome(task.Id, "p", 1, "\"charged\"", null)]);
        Assert.Empty(Claim());
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryResult.Accepted, Store.Signal("p", "approve", "{\"by\": \"ada\"}"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, Store.FireTimers(Store.DueTimers(Now, 10)));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(CommitOne(Turn(child, InstanceStatus.Completed, "\"shipped\"")));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryResult.Accepted, Store.Cancel("p"));
        Assert.Empty(Claim());
        Assert.Empty(Store.ClaimInstances("w2", 10, Now.AddHours(1), Now.AddHours(2), ClaimLane.Fresh));
        Assert.Equal(InstanceStatus.Paused, Store.GetInstance("p")!.Status);
        Assert.Equal(new WorkSummary(0, 0, 0, null), Store.Summary());

        // Another instance ready since now: p, ready since its first arrival, still comes first.
        Clock.Advance(TimeSpan.FromSeconds(1));
        Start("q");
        Assert.Equal(DeliveryResult.Accepted, Store.Resume("p"));
        Assert.Equal(2, Store.Summary().ReadyInstances);
        var resumed = Claim(max: 1).Single();
        Assert.Equal("p", resumed.Instance.Id);
        Assert.Equal(InstanceStatus.Waiting, resumed.Instance.Status);
        Assert.Equal(
            [
                (InboxKind.ActivityCompleted, 1, null, "\"charged\""),
                (InboxKind.Signal, 0, "approve", "{\"by\": \"ada\"}"),
                (InboxKind.TimerFired, 2, null, null),
                (InboxKind.ChildCompleted, 3, null, "\"shipped\""),
                (InboxKind.Cancel, 0, null, null),
            ],
            resumed.Inbox.Select(e => (e.Kind, e.Sequence, e.Name, e.Payload)));
        Assert.True(resumed.Inbox.Zip(resumed.Inbox.Skip(1)).All(pair => pair.First.Id < pair.Second.Id));
        Assert.Equal("q", Claim().Single().Instance.Id);
    }

    [Fact]
    public void An_instance_paused_before_its_first_turn_runs_after_resume()
    {
        Start("i1");
        Store.Pause("i1");
        Assert.Empty(Claim());
        Assert.True(Store.Summary().IsIdle);
        Store.Resume("i1");
        Assert.Equal(InstanceStatus.Running, ClaimOne("i1").Instance.Status);
    }

    [Fact]
    public void A_turn_running_when_the_pause_arrives_commits_and_the_pause_holds_from_the_next_claim()
    {
        Start("i1");
        var claimed = ClaimOne("i1");
        Assert.Equal(DeliveryResult.Accepted, Store.Pause("i1"));
        // Commit-at-every-await: the turn's intermediate commits and its last one all apply.
        var intermediate = CommitOne(Turn(claimed, keepLease: true, timers: [new TimerRequest(1, Now.AddMinutes(1))]));
        Assert.Equal(claimed.Revision + 1, intermediate);
        Store.Signal("i1", "go", "1"); // arrives during the turn: the instance stays ready
        Assert.Equal(intermediate + 1, CommitOne(Turn(claimed, revision: intermediate)));
        var after = Store.GetInstance("i1")!;
        // Both commits are turns of the journal.
        Assert.Equal((InstanceStatus.Paused, 2), (after.Status, after.Turns));
        Assert.Equal([1, 2, 3], after.Pickle);
        Assert.Empty(Store.ClaimInstances("w2", 10, Now.AddHours(1), Now.AddHours(2)));

        Store.Resume("i1");
        var next = ClaimOne("i1");
        Assert.Equal("go", next.Inbox.Single().Name);
        // A turn that ends the instance while it is paused: the final status wins over the flag.
        Store.Pause("i1");
        CommitOne(Turn(next, InstanceStatus.Completed, "\"done\""));
        Assert.Equal(InstanceStatus.Completed, Store.GetInstance("i1")!.Status);
        Assert.Equal(DeliveryResult.AlreadyFinished, Store.Resume("i1"));
        Assert.Equal("i1", Store.ListInstances(new InstanceQuery(InstanceStatus.Completed)).Instances.Single().Id);
        Assert.Empty(Store.ListInstances(new InstanceQuery(InstanceStatus.Paused)).Instances);
    }

    [Fact]
    public void A_busy_instance_paused_between_slices_is_claimed_by_neither_lane_until_resume()
    {
        Start("spinner");
        var claimed = ClaimOne("spinner");
        // Its slice ended with tasklets still runnable: ready again, for the busy lane.
        CommitOne(new TurnCommit { InstanceId = "spinner", Revision = claimed.Revision, Status = InstanceStatus.Running, Pickle = [9], BusyMicros = 5_000 });
        Store.Pause("spinner");
        foreach (var lane in new[] { ClaimLane.All, ClaimLane.Fresh, ClaimLane.Busy })
            Assert.Empty(Store.ClaimInstances("w1", 10, Now, Now.AddMinutes(1), lane));
        Assert.Equal(0, Store.Summary().ReadyInstances);

        Store.Resume("spinner");
        var next = Store.ClaimInstances("w1", 10, Now, Now.AddMinutes(1), ClaimLane.Busy).Single();
        Assert.Equal(("spinner", 5_000L), (next.Instance.Id, next.BusyMicros));
    }

    [Fact]
    public void A_paused_instance_lists_as_paused_and_not_as_running_or_waiting()
    {
        foreach (var id in new[] { "running", "waiting", "paused-running", "paused-waiting", "completed", "terminated" })
        {
            Start(id);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var claims = Store.ClaimInstances("w1", 10, Now, Now.AddMinutes(1)).Where(c => c.Instance.Id != "running" && c.Instance.Id != "paused-running").ToList();
        CommitOne(Turn(claims.Single(c => c.Instance.Id == "waiting")));
        CommitOne(Turn(claims.Single(c => c.Instance.Id == "paused-waiting")));
        CommitOne(Turn(claims.Single(c => c.Instance.Id == "completed"), InstanceStatus.Completed));
        CommitOne(Turn(claims.Single(c => c.Instance.Id == "terminated"), InstanceStatus.Terminated));
        Store.Pause("paused-running");
        Store.Pause("paused-waiting");

        string[] Listed(InstanceStatus? status) => Store.ListInstances(new InstanceQuery(status)).Instances.Select(i => i.Id).ToArray();
        Assert.Equal(["paused-waiting", "paused-running"], Listed(InstanceStatus.Paused));
        Assert.Equal(["running"], Listed(InstanceStatus.Running));
        Assert.Equal(["waiting"], Listed(InstanceStatus.Waiting));
        Assert.Equal(["completed"], Listed(InstanceStatus.Completed));
        Assert.Equal(["terminated"], Listed(InstanceStatus.Terminated));
        var all = Store.ListInstances(new InstanceQuery()).Instances.ToDictionary(i => i.Id, i => i.Status);
        Assert.Equal(InstanceStatus.Paused, all["paused-running"]);
        Assert.Equal(InstanceStatus.Paused, all["paused-waiting"]);
        Assert.Equal(InstanceStatus.Terminated, all["terminated"]);
        Assert.Equal(InstanceStatus.Running, all["running"]);

        Store.Resume("paused-waiting");
        Assert.Equal(["paused-running"], Listed(InstanceStatus.Paused));
        Assert.Equal(["paused-waiting", "waiting"], Listed(InstanceStatus.Waiting));
    }
}

public sealed class PauseTestsOnSqlite() : PauseTests(StoreKind.Sqlite);

public sealed class PauseTestsOnPostgres() : PauseTests(StoreKind.Postgres);

public sealed class PauseTestsOnSqliteAsync() : PauseTests(StoreKind.Sqlite, StoreCalls.Async);

public sealed class PauseTestsOnPostgresAsync() : PauseTests(StoreKind.Postgres, StoreCalls.Async);
