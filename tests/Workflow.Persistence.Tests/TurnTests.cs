using Workflow.Durable;

namespace Workflow.Persistence.Tests;

public abstract class TurnTests(StoreKind kind, StoreCalls calls = StoreCalls.Sync) : StoreTest(kind, calls)
{
    [Fact]
    public void A_claim_leases_the_instance_until_the_lease_expires()
    {
        Start("i1");
        var first = Store.ClaimInstances("w1", 10, Now, Now.AddSeconds(30)).Single();
        Assert.Equal("i1", first.Instance.Id);
        Assert.Equal(1, first.Revision);
        Assert.Empty(first.Inbox);

        Assert.Empty(Store.ClaimInstances("w2", 10, Now.AddSeconds(29), Now.AddSeconds(60)));
        var second = Store.ClaimInstances("w2", 10, Now.AddSeconds(30), Now.AddSeconds(60)).Single();
        Assert.Equal(2, second.Revision);
    }

    [Fact]
    public void Claims_take_the_oldest_ready_first_and_at_most_max()
    {
        foreach (var id in new[] { "a", "b", "c" })
        {
            CommitOne(Turn(ClaimOne(Start(id).Id)));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        // Ready again in the order c, a, b.
        Store.Signal("c", "s", "1");
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.Signal("a", "s", "1");
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.Signal("b", "s", "1");
        // A second signal does not move a ready instance back in the line.
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.Signal("c", "s", "2");

        Assert.Equal(["c", "a"], Claim(max: 2).Select(c => c.Instance.Id));
        Assert.Equal(["b"], Claim(max: 2).Select(c => c.Instance.Id));
    }

    [Fact]
    public void Only_the_latest_claim_commits_after_a_lease_expired()
    {
        Start("i1");
        var stale = Store.ClaimInstances("w1", 1, Now, Now.AddSeconds(10)).Single();
        var fresh = Store.ClaimInstances("w2", 1, Now.AddSeconds(11), Now.AddSeconds(60)).Single();
        Assert.Equal(stale.Revision + 1, fresh.Revision);

        var staleCommit = new TurnCommit
        {
            InstanceId = "i1", Revision = stale.Revision, Status = InstanceStatus.Completed, ResultJson = "\"stale\"",
            Activities = [new ActivityRequest(1, "echo", "[1]", null, null)],
            Timers = [new TimerRequest(2, Now.AddHours(1))],
        };
        Assert.Null(CommitOne(staleCommit));
        var instance = Store.GetInstance("i1")!;
        Assert.Equal(InstanceStatus.Running, instance.Status);
        Assert.Null(instance.ResultJson);
        Assert.Equal(0, instance.Turns);
        Assert.Equal(new WorkSummary(1, 0, 0, null), Store.Summary());

        Assert.Equal(fresh.Revision + 1, CommitOne(Turn(fresh)));
        // The stale turn's revision is gone for good.
        Assert.Null(CommitOne(staleCommit));
        instance = Store.GetInstance("i1")!;
        Assert.Equal(InstanceStatus.Waiting, instance.Status);
        Assert.Equal([1, 2, 3], instance.Pickle);
        Assert.Equal(1, instance.Turns);
    }

    [Fact]
    public void A_group_commit_applies_the_current_commits_and_skips_the_stale_one_whole()
    {
        foreach (var id in new[] { "b", "a", "c" })
        {
            Start(id);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var claims = Claim();
        var b = claims.Single(c => c.Instance.Id == "b");
        // b's lease expires (its worker stalled) and another worker claims it: b is the oldest ready.
        var stolen = Store.ClaimInstances("w2", 1, Now.AddMinutes(2), Now.AddMinutes(3)).Single();
        Assert.Equal("b", stolen.Instance.Id);

        var commits = claims.Select(c => new TurnCommit
        {
            InstanceId = c.Instance.Id,
            Revision = c.Revision,
            Status = InstanceStatus.Waiting,
            Pickle = [7],
            Activities = [new ActivityRequest(1, "echo", $"[\"{c.Instance.Id}\"]", 3, 1.5)],
            Timers = [new TimerRequest(2, Now.AddMinutes(5))],
        }).ToList();
        var revisions = Store.CommitTurns(commits);

        Assert.Equal(claims.Select(c => c.Instance.Id == "b" ? (long?)null : c.Revision + 1), revisions);
        Assert.Equal(InstanceStatus.Running, Store.GetInstance("b")!.Status);
        Assert.Equal(InstanceStatus.Waiting, Store.GetInstance("a")!.Status);
        Assert.Equal(["a", "c"], Store.ListTimers().Select(t => t.InstanceId).Order());
        var tasks = Store.ClaimActivities("aw", 10, Now, Now.AddMinutes(1));
        Assert.Equal(["a", "c"], tasks.Select(t => t.InstanceId).Order());
        Assert.All(tasks, t => Assert.Equal((3, 1.5, 1), (t.Retries!.Value, t.TimeoutSeconds!.Value, t.Attempts)));
        // b is still the other worker's.
        Assert.Equal(b.Revision + 1, stolen.Revision);
        Assert.Equal(stolen.Revision + 1, CommitOne(Turn(stolen)));
    }

    [Fact]
    public void Two_commits_of_one_instance_in_a_group_apply_in_order_each_on_the_revision_before_it()
    {
        Start("i1");
        var claimed = ClaimOne("i1");
        var intermediate = new TurnCommit
        {
            InstanceId = "i1", Revision = claimed.Revision, Status = InstanceStatus.Running, Pickle = [1], KeepLease = true,
            Timers = [new TimerRequest(1, Now.AddMinutes(5))],
        };
        var end = new TurnCommit
        {
            InstanceId = "i1", Revision = claimed.Revision + 1, Status = InstanceStatus.Waiting, Pickle = [2],
            Activities = [new ActivityRequest(2, "echo", "[2]", null, null)],
        };
        // The first commit again: its revision is gone once it applied.
        var repeated = new TurnCommit { InstanceId = "i1", Revision = claimed.Revision, Status = InstanceStatus.Completed, ResultJson = "0" };

        Assert.Equal([claimed.Revision + 1, claimed.Revision + 2, null], Store.CommitTurns([intermediate, end, repeated]));
        var instance = Store.GetInstance("i1")!;
        // Each commit is a turn of the journal, the intermediate one too.
        Assert.Equal((InstanceStatus.Waiting, 2, null), (instance.Status, instance.Turns, instance.ResultJson));
        Assert.Equal([2], instance.Pickle);
        Assert.Equal([1], Store.ListTimers().Select(t => t.Sequence));
        Assert.Equal([2], Store.ClaimActivities("aw", 10, Now, Now.AddMinutes(1)).Select(t => t.Sequence));
        // The second commit cleared the lease the first one kept.
        Assert.Equal(0, Store.Summary().ReadyInstances);
        Store.Signal("i1", "s", "1");
        Assert.Equal("i1", ClaimOne("i1").Instance.Id);
    }

    [Fact]
    public void Entries_arriving_during_a_turn_keep_the_instance_ready_and_in_order()
    {
        Start("i1");
        CommitOne(Turn(ClaimOne("i1")));
        Store.Signal("i1", "first", "1");
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.Signal("i1", "second", "2");
        var claimed = ClaimOne("i1");
        Assert.Equal(["first", "second"], claimed.Inbox.Select(e => e.Name));
        Assert.True(claimed.Inbox[0].Id < claimed.Inbox[1].Id);

        // Arrives while the turn runs: the commit consumes only what the turn saw.
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryResult.Accepted, Store.Signal("i1", "third", "3"));
        Assert.Empty(Store.ClaimInstances("w2", 10, Now, Now.AddMinutes(1)));
        Assert.NotNull(CommitOne(Turn(claimed)));

        Assert.Equal(1, Store.Summary().ReadyInstances);
        var next = ClaimOne("i1");
        Assert.Equal(["third"], next.Inbox.Select(e => e.Name));
        Assert.NotNull(CommitOne(Turn(next)));
        Assert.Equal(0, Store.Summary().ReadyInstances);
        Assert.Empty(Claim());
    }

    [Fact]
    public void An_intermediate_commit_keeps_the_lease_and_a_dead_worker_leaves_the_instance_claimable()
    {
        Start("i1");
        var claimed = Store.ClaimInstances("w1", 1, Now, Now.AddSeconds(10)).Single();
        var revision = CommitOne(Turn(claimed, keepLease: true))!.Value;
        Assert.Equal(claimed.Revision + 1, revision);
        Assert.Equal(1, Store.GetInstance("i1")!.Turns);
        Assert.Empty(Store.ClaimInstances("w2", 1, Now.AddSeconds(5), Now.AddSeconds(60)));

        // The worker dies: after the lease, another one resumes from the intermediate pickle.
        var again = Store.ClaimInstances("w2", 1, Now.AddSeconds(10), Now.AddSeconds(60)).Single();
        Assert.Equal([1, 2, 3], again.Instance.Pickle);
        Assert.Equal(revision + 1, again.Revision);
        Assert.Null(CommitOne(Turn(claimed, revision: revision)));
    }

    [Fact]
    public void A_child_is_started_on_the_latest_version_and_tells_its_parent_how_it_ended()
    {
        Start("p");
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.SaveProgram("order", "v2", "hash-v2");
        var parent = ClaimOne("p");
        CommitOne(Turn(parent, children: [new ChildRequest(4, "order", "{\"n\": 1}"), new ChildRequest(5, "order", null)]));

        var child = Store.GetInstance("p.4")!;
        Assert.Equal(("hash-v2", "p", "{\"n\": 1}", InstanceStatus.Running), (child.ProgramHash, child.ParentId, child.InputJson, child.Status));
        var children = Claim();
        Assert.Equal(["p.4", "p.5"], children.Select(c => c.Instance.Id).Order());

        var completed = children.Single(c => c.Instance.Id == "p.4");
        var failed = children.Single(c => c.Instance.Id == "p.5");
        Store.CommitTurns([
            Turn(completed, InstanceStatus.Completed, "{\"ok\": true}"),
            Turn(failed, InstanceStatus.Failed, error: "Traceback…\nValueError: bad", summary: "ValueError: bad"),
        ]);

        var inbox = ClaimOne("p").Inbox;
        Assert.Equal(
            [(InboxKind.ChildCompleted, 4, "{\"ok\": true}"), (InboxKind.ChildFailed, 5, "ValueError: bad")],
            inbox.Select(e => (e.Kind, e.Sequence, e.Payload)));
    }

    [Fact]
    public void An_existing_child_is_left_alone_and_an_unknown_workflow_fails_the_call()
    {
        Start("p");
        var parent = ClaimOne("p");
        CommitOne(Turn(parent, children: [new ChildRequest(1, "order", "\"first\""), new ChildRequest(2, "nothing", null)]));
        var childClaim = Store.ClaimInstances("w", 10, Now, Now.AddMinutes(1)).Single(c => c.Instance.Id == "p.1");
        CommitOne(Turn(childClaim));

        var again = Store.ClaimInstances("w", 10, Now.AddMinutes(2), Now.AddMinutes(3)).Single(c => c.Instance.Id == "p");
        var failure = again.Inbox.Single();
        Assert.Equal((InboxKind.ChildFailed, 2, "no workflow named 'nothing' is deployed"), (failure.Kind, failure.Sequence, failure.Payload));
        Assert.Null(Store.GetInstance("p.2"));

        // The same child requested again (say, by a retried turn) does not reset it.
        CommitOne(Turn(again, children: [new ChildRequest(1, "order", "\"second\"")]));
        var child = Store.GetInstance("p.1")!;
        Assert.Equal(("\"first\"", InstanceStatus.Waiting, 1), (child.InputJson, child.Status, child.Turns));
    }

    [Fact]
    public void Cancelling_futures_deletes_their_work_and_cancels_the_child()
    {
        Start("p");
        CommitOne(Turn(ClaimOne("p"),
            activities: [new ActivityRequest(1, "echo", "[]", null, null), new ActivityRequest(2, "echo", "[]", null, null)],
            timers: [new TimerRequest(3, Now.AddHours(1)), new TimerRequest(4, Now.AddHours(2))],
            children: [new ChildRequest(5, "order", null)]));
        CommitOne(Turn(ClaimOne("p.5")));
        Store.Signal("p", "stop", "null");

        CommitOne(Turn(ClaimOne("p"), cancelled: [1, 3, 5]));
        Assert.Equal([4], Store.ListTimers().Select(t => t.Sequence));
        Assert.Equal([2], Store.ClaimActivities("aw", 10, Now, Now.AddMinutes(1)).Select(t => t.Sequence));
        var child = Store.ClaimInstances("w", 10, Now, Now.AddMinutes(1)).Single();
        Assert.Equal("p.5", child.Instance.Id);
        Assert.Equal(InboxKind.Cancel, child.Inbox.Single().Kind);
    }

    [Fact]
    public void A_final_instance_cancels_its_running_children_and_drops_its_pending_work()
    {
        Start("p");
        CommitOne(Turn(ClaimOne("p"),
            activities: [new ActivityRequest(1, "echo", "[]", null, null)],
            timers: [new TimerRequest(2, Now.AddHours(1))],
            children: [new ChildRequest(3, "order", null), new ChildRequest(4, "order", null)]));
        var children = Claim();
        Store.CommitTurns([
            Turn(children.Single(c => c.Instance.Id == "p.3")),
            Turn(children.Single(c => c.Instance.Id == "p.4"), InstanceStatus.Completed, "4"),
        ]);
        Store.Cancel("p");

        var parent = ClaimOne("p");
        Assert.Equal([InboxKind.ChildCompleted, InboxKind.Cancel], parent.Inbox.Select(e => e.Kind));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.Signal("p", "late", "1"); // arrives during the final turn: nothing will consume it
        Assert.NotNull(CommitOne(Turn(parent, InstanceStatus.Cancelled, summary: "CancelledError")));

        var view = Store.GetInstance("p")!;
        Assert.Equal(InstanceStatus.Cancelled, view.Status);
        Assert.Equal(new WorkSummary(1, 0, 0, null), Store.Summary());
        var child = Claim().Single();
        Assert.Equal(("p.3", InboxKind.Cancel), (child.Instance.Id, child.Inbox.Single().Kind));
        // The cancelled child's outcome reaches no one: its parent is final.
        CommitOne(Turn(child, InstanceStatus.Cancelled));
        Assert.Equal(new WorkSummary(0, 0, 0, null), Store.Summary());
        Assert.Empty(Claim());
    }

    [Fact]
    public void A_busy_commit_keeps_the_instance_ready_behind_the_others_and_in_the_busy_lane_until_a_turn_ends_blocked()
    {
        Start("spinner");
        var claimed = ClaimOne("spinner");
        CommitOne(new TurnCommit { InstanceId = "spinner", Revision = claimed.Revision, Status = InstanceStatus.Running, Pickle = [1], BusyMicros = 50_000 });
        Clock.Advance(TimeSpan.FromSeconds(1));
        Start("fresh");

        // The fresh lane sees only the new instance; the busy lane only the spinner, with its busy time.
        Assert.Equal(["fresh"], Store.ClaimInstances("w", 10, Now, Now.AddMinutes(1), ClaimLane.Fresh).Select(c => c.Instance.Id));
        var again = Store.ClaimInstances("w", 10, Now, Now.AddMinutes(1), ClaimLane.Busy).Single();
        Assert.Equal(("spinner", 50_000L), (again.Instance.Id, again.BusyMicros));
        Assert.Equal(InstanceStatus.Running, Store.GetInstance("spinner")!.Status);

        // A turn that ends blocked takes it back to the fresh lane with its busy time cleared.
        CommitOne(Turn(again));
        Store.Signal("spinner", "go", "1");
        Assert.Empty(Store.ClaimInstances("w", 10, Now.AddMinutes(2), Now.AddMinutes(3), ClaimLane.Busy));
        var woken = Store.ClaimInstances("w", 10, Now.AddMinutes(2), Now.AddMinutes(3), ClaimLane.Fresh).Single(c => c.Instance.Id == "spinner");
        Assert.Equal(0, woken.BusyMicros);
    }

    [Fact]
    public void A_busy_instance_goes_behind_instances_that_were_ready_before_its_slice_ended()
    {
        Start("a");
        Clock.Advance(TimeSpan.FromSeconds(1));
        Start("b");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var a = ClaimOne("a");
        CommitOne(new TurnCommit { InstanceId = "a", Revision = a.Revision, Status = InstanceStatus.Running, Pickle = [1], BusyMicros = 1 });
        Assert.Equal(["b", "a"], Store.ClaimInstances("w", 10, Now.AddMinutes(2), Now.AddMinutes(3)).Select(c => c.Instance.Id));
    }

    [Fact]
    public void A_child_past_the_depth_limit_is_not_started_and_its_parent_gets_ChildError()
    {
        var deep = "root" + string.Concat(Enumerable.Repeat(".1", ChildInstances.MaxDepth));
        var shallow = "root" + string.Concat(Enumerable.Repeat(".1", ChildInstances.MaxDepth - 1));
        foreach (var id in new[] { deep, shallow }) Start(id);
        foreach (var claimed in Claim())
            CommitOne(Turn(claimed, children: [new ChildRequest(7, "order", "{}")]));

        Assert.Null(Store.GetInstance(deep + ".7"));
        var refused = Assert.Single(ClaimOne(deep).Inbox);
        Assert.Equal((InboxKind.ChildFailed, 7), (refused.Kind, refused.Sequence));
        Assert.Contains($"child workflows nested too deeply: 'order' would be {ChildInstances.MaxDepth + 1} levels below its root instance, over the limit of {ChildInstances.MaxDepth}", refused.Payload);
        // One level less is still allowed.
        Assert.NotNull(Store.GetInstance(shallow + ".7"));
    }
}

public sealed class TurnTestsOnSqlite() : TurnTests(StoreKind.Sqlite);

public sealed class TurnTestsOnPostgres() : TurnTests(StoreKind.Postgres);

public sealed class TurnTestsOnSqliteAsync() : TurnTests(StoreKind.Sqlite, StoreCalls.Async);

public sealed class TurnTestsOnPostgresAsync() : TurnTests(StoreKind.Postgres, StoreCalls.Async);
