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
    public void A_task_with_a_long_timeout_is_leased_for_twice_its_timeout()
    {
        // timeout=10 s with a 5 s lease: another worker must not start it again while attempt 1 may run.
        StartWithActivities("i1", 1);
        Assert.Single(Store.ClaimActivities("a1", 10, Now, Now.AddSeconds(5)));
        Assert.Empty(Store.ClaimActivities("a2", 10, Now.AddSeconds(19), Now.AddSeconds(30)));
        Assert.Single(Store.ClaimActivities("a2", 10, Now.AddSeconds(20), Now.AddSeconds(30)));
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
