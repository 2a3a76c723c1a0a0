using Workflow.Durable;

namespace Workflow.Persistence.Tests;

public abstract class ActivityTests(StoreKind kind) : StoreTest(kind)
{
    private void StartWithActivities(string id, params int[] sequences) =>
        CommitOne(Turn(ClaimOne(Start(id).Id), activities: sequences.Select(s => new ActivityRequest(s, "charge", $"[{s}]", 2, 10)).ToArray()));

    [Fact]
    public void Attempts_and_the_last_error_survive_a_lost_lease()
    {
        StartWithActivities("i1", 1);
        var task = Store.ClaimActivities("a1", 10, Now, Now.AddSeconds(30)).Single();
        Assert.Equal((1, "charge", "[1]", 2, 10.0, 1, (string?)null, "i1/1"),
            (task.Sequence, task.Name, task.ArgumentsJson, task.Retries, task.TimeoutSeconds, task.Attempts, task.LastError, task.IdempotencyKey));
        Assert.Empty(Store.ClaimActivities("a2", 10, Now.AddSeconds(29), Now.AddSeconds(60)));

        Store.RecordActivityAttempt(task.Id, "a1", 2, "HTTP 503", Now.AddSeconds(40));
        Assert.Empty(Store.ClaimActivities("a2", 10, Now.AddSeconds(35), Now.AddSeconds(60)));
        // The worker died during attempt 2: the next claim is attempt 3, with the error remembered.
        var again = Store.ClaimActivities("a2", 10, Now.AddSeconds(40), Now.AddSeconds(90)).Single();
        Assert.Equal((task.Id, 3, "HTTP 503"), (again.Id, again.Attempts, again.LastError));
    }

    [Fact]
    public void A_renewal_extends_the_leases_the_worker_still_holds_and_names_the_ones_it_lost()
    {
        StartWithActivities("i1", 1, 2, 3);
        var first = Store.ClaimActivities("a1", 1, Now, Now.AddSeconds(15)).Single();
        var others = Store.ClaimActivities("a1", 10, Now, Now.AddSeconds(5));
        // Tasks 2 and 3's leases ran out and a2 took them; then the instance cancelled future 3 (its task is deleted).
        Assert.Equal([2, 3], Store.ClaimActivities("a2", 10, Now.AddSeconds(5), Now.AddSeconds(30)).Select(t => t.Sequence));
        Store.Signal("i1", "stop", "3");
        CommitOne(Turn(ClaimOne("i1"), cancelled: [3]));
        var tasks = others.Prepend(first).ToArray();

        Assert.Equal([first.Id], Store.RenewActivityLeases("a1", tasks.Select(t => t.Id).ToArray(), Now.AddMinutes(5)));
        // The renewal holds: a minute on, task 2 (a2's lease ran out) can be claimed, task 1 cannot.
        Assert.Equal([2], Store.ClaimActivities("a3", 10, Now.AddMinutes(1), Now.AddMinutes(2)).Select(t => t.Sequence));
        Assert.Empty(Store.RenewActivityLeases("a1", [], Now.AddMinutes(5)));
    }

    [Fact]
    public void An_attempt_is_recorded_only_by_the_worker_that_holds_the_task()
    {
        StartWithActivities("i1", 1);
        var task = Store.ClaimActivities("a1", 10, Now, Now.AddSeconds(15)).Single();
        Assert.False(Store.RecordActivityAttempt(task.Id, "a2", 2, "not mine", Now.AddSeconds(30)));
        Assert.True(Store.RecordActivityAttempt(task.Id, "a1", 2, "HTTP 503", Now.AddSeconds(30)));
        Assert.Equal((2, "HTTP 503"), Store.GetPendingWork("i1").Activities.Select(a => (a.Attempts, a.LastError)).Single());
        // The instance ended: its task is gone, and an attempt of it is not recorded.
        Store.Cancel("i1");
        CommitOne(Turn(ClaimOne("i1"), status: InstanceStatus.Cancelled, error: "CancelledError", summary: "CancelledError"));
        Assert.False(Store.RecordActivityAttempt(task.Id, "a1", 3, "late", Now.AddSeconds(30)));
    }

    [Fact]
    public void Claims_take_the_oldest_tasks_first_and_at_most_max()
    {
        StartWithActivities("i1", 1, 2, 3);
        Assert.Equal([1, 2], Store.ClaimActivities("a", 2, Now, Now.AddMinutes(1)).Select(t => t.Sequence));
        Assert.Equal([3], Store.ClaimActivities("a", 2, Now, Now.AddMinutes(1)).Select(t => t.Sequence));
        Assert.Empty(Store.ClaimActivities("a", 2, Now, Now.AddMinutes(1)));
    }

    [Fact]
    public void Claims_share_the_runners_between_instances_whatever_order_their_tasks_were_started_in()
    {
        StartWithActivities("hog", Enumerable.Range(1, 50).ToArray());
        StartWithActivities("probe", 1);
        StartWithActivities("other", 1, 2);
        // Each instance's first task before anyone's second, oldest first among equals (a claim lists its tasks by id).
        Assert.Equal([("hog", 1), ("hog", 2), ("probe", 1), ("other", 1), ("other", 2)],
            Store.ClaimActivities("a", 5, Now, Now.AddMinutes(1)).Select(t => (t.InstanceId, t.Sequence)));
        // Tasks an instance has running count as taken places: the hog, with two running, waits behind a newcomer.
        StartWithActivities("late", 1);
        Assert.Equal([("hog", 3), ("late", 1)], Store.ClaimActivities("a", 2, Now, Now.AddMinutes(1)).Select(t => (t.InstanceId, t.Sequence)));
        Assert.Equal([("hog", 4)], Store.ClaimActivities("a", 1, Now, Now.AddMinutes(1)).Select(t => (t.InstanceId, t.Sequence)));
    }

    [Fact]
    public void Outcomes_are_delivered_once_and_make_the_instance_ready()
    {
        StartWithActivities("i1", 1, 2);
        var tasks = Store.ClaimActivities("a", 10, Now, Now.AddMinutes(1));
        Assert.Equal(0, Store.Summary().ReadyInstances);
        var outcomes = new[]
        {
            new ActivityOutcome(tasks[0].Id, "i1", 1, "{\"paid\": true}", null),
            new ActivityOutcome(tasks[1].Id, "i1", 2, null, "ValueError: card declined"),
        };
        Store.CompleteActivities(outcomes);
        // A second worker finishing the same tasks (its lease had expired) changes nothing.
        Store.CompleteActivities(outcomes);

        Assert.Equal(new WorkSummary(1, 0, 0, null), Store.Summary());
        var inbox = ClaimOne("i1").Inbox;
        Assert.Equal(
            [(InboxKind.ActivityCompleted, 1, "{\"paid\": true}"), (InboxKind.ActivityFailed, 2, "ValueError: card declined")],
            inbox.Select(e => (e.Kind, e.Sequence, e.Payload)));
    }
}

public sealed class ActivityTestsOnSqlite() : ActivityTests(StoreKind.Sqlite);

public sealed class ActivityTestsOnPostgres() : ActivityTests(StoreKind.Postgres);
