using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Hosting.Activities;

namespace Workflow.Durability.Tests;

/// <summary>The runtime's promises, each on a real SQLite file; restarts are real processes killed with SIGKILL.</summary>
public class RuntimeTests
{
    /// <summary>Runs an in-process worker on [db] until nothing can move without a signal, or until [done].</summary>
    /// <param name="sliced">Whether turns run in slices (the default): a test that counts commits turns them off, since where a wall-clock slice ends depends on the machine's load.</param>
    private static void RunUntilIdle(TestDatabase db, ActivityRegistry? activities = null, Func<bool>? done = null, CommitMode commitMode = CommitMode.EveryTurn, bool sliced = true)
    {
        var options = new DurableWorkerOptions
        {
            Turns = new WorkerOptions { Turn = new TurnOptions { CommitMode = commitMode, Slice = sliced ? new TurnOptions().Slice : null } },
            Activities = new ActivityOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        };
        var worker = new DurableWorker(db.Store, new WorkflowDatabase.Sqlite(db.Path), activities ?? new ActivityRegistry(), options);
        try
        {
            Assert.True(worker.RunAsync(CancellationToken.None, exitWhenIdle: true, done).Wait(TimeSpan.FromMinutes(1)), "the worker did not become idle");
        }
        finally
        {
            worker.DisposeAsync().AsTask().Wait();
        }
    }

    [Fact]
    public void A_timer_committed_before_a_crash_fires_after_the_restart()
    {
        using var db = new TestDatabase();
        db.Deploy("nap", "def main(input):\n    t = now()\n    await sleep(3)\n    return now() - t >= 3\n");
        db.Client.Start("nap", null, "n1");
        using (var worker = WorkerProcess.Start(db, leaseSeconds: 1))
        {
            Assert.True(TestDatabase.WaitUntil(() => db.Instance("n1").Status == InstanceStatus.Waiting, TimeSpan.FromSeconds(30)), worker.Stderr);
            Assert.Equal(1, db.Store.Summary().Timers);
            worker.Kill();
        }
        using var restarted = WorkerProcess.Start(db, leaseSeconds: 1, exitWhenIdle: true);
        Assert.True(restarted.WaitForExit(TimeSpan.FromSeconds(60)), restarted.Stderr);
        var instance = db.Instance("n1");
        Assert.True((InstanceStatus.Completed, "true") == (instance.Status, instance.ResultJson), $"{instance.Status} {instance.Error}\n{restarted.Stderr}");
    }

    [Fact]
    public void A_timer_that_fell_due_while_no_worker_ran_fires_at_start_up()
    {
        using var db = new TestDatabase();
        db.Deploy("nap", "def main(input):\n    await sleep(1)\n    return 'woke'\n");
        db.Client.Start("nap", null, "n1");
        using (var worker = WorkerProcess.Start(db, leaseSeconds: 1))
        {
            Assert.True(TestDatabase.WaitUntil(() => db.Instance("n1").Status == InstanceStatus.Waiting, TimeSpan.FromSeconds(30)), worker.Stderr);
            worker.Kill();
        }
        // The quartz trigger and the timer row are in the file; nothing runs until well after the due time.
        Thread.Sleep(2000);
        Assert.Single(db.Store.DueTimers(DateTime.UtcNow, 10));
        var restart = DateTime.UtcNow;
        using var restarted = WorkerProcess.Start(db, leaseSeconds: 1, exitWhenIdle: true);
        Assert.True(restarted.WaitForExit(TimeSpan.FromSeconds(60)), restarted.Stderr);
        var instance = db.Instance("n1");
        Assert.Equal((InstanceStatus.Completed, "\"woke\""), (instance.Status, instance.ResultJson));
        Assert.True(instance.UpdatedAt >= restart.AddMilliseconds(-5), "completed before the restart?");
    }

    [Fact]
    public void A_signal_sent_before_the_workflow_waits_for_it_is_not_lost()
    {
        using var db = new TestDatabase();
        db.Deploy("late", "def main(input):\n    await activity('echo', 1)\n    a = await signal('go')\n    b = await signal('go')\n    return [a, b]\n");
        db.Client.Start("late", null, "l1");
        Assert.Equal(DeliveryResult.Accepted, db.Client.Signal("l1", "go", "\"first\""));
        Assert.Equal(DeliveryResult.Accepted, db.Client.Signal("l1", "go", "{\"n\": 2}"));
        RunUntilIdle(db);
        Assert.Equal("[\"first\", {\"n\": 2}]", db.Instance("l1").ResultJson);
    }

    [Fact]
    public void An_activity_that_fails_twice_completes_under_retries_3_and_one_that_keeps_failing_raises_ActivityError()
    {
        using var db = new TestDatabase();
        var calls = new Dictionary<string, int>();
        var activities = new ActivityRegistry()
            .Add("twice", context =>
            {
                lock (calls) calls[context.IdempotencyKey] = calls.GetValueOrDefault(context.IdempotencyKey) + 1;
                if (context.Attempt <= 2) throw new InvalidOperationException($"attempt {context.Attempt} failed");
                return new JValue($"ok after {context.Attempt}");
            })
            .Add("never", JToken? (context) => throw new TimeoutException("the bank is closed"));
        db.Deploy("retry", """
            def main(input):
                a = await activity('twice', retries=3)
                try:
                    await activity('never', retries=2)
                except ActivityError as e:
                    return [a, str(e)]
            """);
        db.Client.Start("retry", null, "r1");
        RunUntilIdle(db, activities);
        var instance = db.Instance("r1");
        Assert.True(instance.Status == InstanceStatus.Completed, instance.Error);
        Assert.Equal("[\"ok after 3\", \"the bank is closed\"]", instance.ResultJson);
        Assert.Equal(3, calls["r1/1"]);
    }

    [Fact]
    public void Cancellation_raises_CancelledError_at_the_await_and_the_finally_block_runs()
    {
        using var db = new TestDatabase();
        var cleanups = new List<string>();
        var activities = new ActivityRegistry().Add("cleanup", JToken? (context) => { lock (cleanups) cleanups.Add((string)context.Argument(0)!); return null; });
        db.Deploy("long", """
            def main(input):
                try:
                    await sleep(days(30))
                finally:
                    await activity('cleanup', 'released ' + input)
            """);
        db.Client.Start("long", "\"room 7\"", "x1");
        RunUntilIdle(db, done: () => db.Instance("x1").Status == InstanceStatus.Waiting);
        Assert.Equal(InstanceStatus.Waiting, db.Instance("x1").Status);
        Assert.Equal(DeliveryResult.Accepted, db.Client.Cancel("x1"));
        RunUntilIdle(db, activities);
        var instance = db.Instance("x1");
        Assert.Equal(InstanceStatus.Cancelled, instance.Status);
        Assert.Contains("CancelledError: the workflow was cancelled", instance.Error);
        Assert.Equal(new[] { "released room 7" }, cleanups);
        Assert.Equal(0, db.Store.Summary().Timers);
        Assert.Equal(DeliveryResult.AlreadyFinished, db.Client.Cancel("x1"));
    }

    [Fact]
    public void An_instance_started_on_version_1_finishes_on_version_1_after_version_2_is_deployed()
    {
        using var db = new TestDatabase();
        db.Deploy("greet", "def main(input):\n    name = await signal('name')\n    return 'v1: hello ' + name\n");
        db.Client.Start("greet", null, "old");
        RunUntilIdle(db);
        db.Deploy("greet", "def main(input):\n    name = await signal('name')\n    return 'v2: hi ' + name + '!'\n");
        db.Client.Start("greet", null, "new");
        db.Client.Signal("old", "name", "\"Ada\"");
        db.Client.Signal("new", "name", "\"Bob\"");
        RunUntilIdle(db);
        Assert.Equal("\"v1: hello Ada\"", db.Instance("old").ResultJson);
        Assert.Equal("\"v2: hi Bob!\"", db.Instance("new").ResultJson);
        Assert.NotEqual(db.Instance("old").ProgramHash, db.Instance("new").ProgramHash);
    }

    [Fact]
    public void A_corrupt_pickle_fails_only_its_instance_keeps_its_row_and_pickle_and_the_worker_goes_on()
    {
        using var db = new TestDatabase();
        db.Deploy("wait", "def main(input):\n    v = await signal('go')\n    return v * 2\n");
        db.Client.Start("wait", null, "good");
        db.Client.Start("wait", null, "bad");
        RunUntilIdle(db);
        var pickle = db.Instance("bad").Pickle!;
        var corrupt = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(pickle).Replace("\"frames\"", "\"frame$\""));
        Assert.NotEqual(pickle, corrupt);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db.Path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE instances SET Pickle = $p WHERE Id = 'bad'";
            cmd.Parameters.AddWithValue("$p", corrupt);
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        db.Client.Signal("bad", "go", "1");
        db.Client.Signal("good", "go", "21");
        RunUntilIdle(db);
        var bad = db.Instance("bad");
        Assert.Equal(InstanceStatus.Failed, bad.Status);
        Assert.Contains("pickle cannot be read", bad.Error);
        Assert.Contains("tasklets[0]", bad.Error);
        Assert.Equal(corrupt, bad.Pickle);
        Assert.Equal("42", db.Instance("good").ResultJson);
    }

    [Fact]
    public void Child_workflows_run_and_their_results_or_failures_reach_the_parent()
    {
        using var db = new TestDatabase();
        db.Deploy("square", "def main(input):\n    if input < 0:\n        raise ValueError('negative')\n    return input * input\n");
        db.Deploy("parent", """
            def main(input):
                results = await gather(*[child('square', n) for n in input])
                try:
                    await child('square', -1)
                except ChildError as e:
                    return [results, str(e)]
            """);
        db.Client.Start("parent", "[1, 2, 3]", "p1");
        RunUntilIdle(db);
        var parent = db.Instance("p1");
        Assert.True(parent.Status == InstanceStatus.Completed, parent.Error);
        Assert.Equal("[[1, 4, 9], \"ValueError: negative\"]", parent.ResultJson);
        Assert.Equal("4", db.Instance("p1.2").ResultJson);
    }

    [Fact]
    public void Commit_at_every_await_commits_the_instance_after_each_channel_operation_and_await()
    {
        const string program = """
            def produce(ch):
                for i in range(10):
                    ch.send(i)
                ch.close()

            def main(input):
                ch = channel()
                spawn(produce, ch)
                total = 0
                for v in ch:
                    total += v
                return total + await activity('echo', 100)
            """;
        long Revision(TestDatabase db, string id)
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db.Path};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT Revision FROM instances WHERE Id = '{id}'";
            return (long)cmd.ExecuteScalar()!;
        }
        using var perTurn = new TestDatabase();
        perTurn.Deploy("pipe", program);
        perTurn.Client.Start("pipe", null, "p");
        RunUntilIdle(perTurn, sliced: false);
        using var perAwait = new TestDatabase();
        perAwait.Deploy("pipe", program);
        perAwait.Client.Start("pipe", null, "p");
        RunUntilIdle(perAwait, commitMode: CommitMode.EveryAwait, sliced: false);

        Assert.Equal(("145", "145"), (perTurn.Instance("p").ResultJson, perAwait.Instance("p").ResultJson));
        // Two turns (start, activity result): a claim and a commit each. Every await and each of the ~22
        // channel operations adds a commit of its own.
        Assert.Equal(4, Revision(perTurn, "p"));
        Assert.True(Revision(perAwait, "p") >= 4 + 20, $"revision {Revision(perAwait, "p")}");
        // Each commit is an entry of the journal: two claims, so every commit but two is an intermediate one.
        Assert.Equal(2, perTurn.Instance("p").Turns);
        Assert.Equal(Revision(perAwait, "p") - 2, perAwait.Instance("p").Turns);
    }

    [Fact]
    public async Task A_timer_whose_Quartz_wake_up_was_lost_is_fired_by_the_sweep()
    {
        using var db = new TestDatabase();
        db.Deploy("nap", "def main(input):\n    await sleep(1)\n    return 'woke'\n");
        db.Client.Start("nap", null, "n1");
        var options = new DurableWorkerOptions { TimerSweep = TimeSpan.FromMilliseconds(300) };
        var worker = new DurableWorker(db.Store, new WorkflowDatabase.Sqlite(db.Path), new ActivityRegistry(), options);
        try
        {
            var run = worker.RunAsync(CancellationToken.None, done: () => db.Instance("n1").Status == InstanceStatus.Completed);
            Assert.True(TestDatabase.WaitUntil(() => db.Instance("n1").Status == InstanceStatus.Waiting, TimeSpan.FromSeconds(30)));
            // What a process that took the trigger and died leaves: the row, and no trigger.
            using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db.Path};Pooling=False;Default Timeout=30"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "DELETE FROM QRTZ_SIMPLE_TRIGGERS; DELETE FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'workflow-timers'";
                cmd.ExecuteNonQuery();
            }
            await run.WaitAsync(TimeSpan.FromSeconds(30)); // TimeoutException: the timer never fired
        }
        finally
        {
            await worker.DisposeAsync();
        }
        Assert.Equal("\"woke\"", db.Instance("n1").ResultJson);
    }
}
