using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting.Tests.Activities;

/// <summary>
/// An activity whose instance no longer waits for it (cancelled, or ended) stops: nothing is called
/// after the cancel commits, and a running handler's token fires. And a long activity keeps its
/// lease: no other worker claims it while it runs.
/// </summary>
public sealed class AbandonTests : ActivityTest
{
    /// <summary>What another process does when [id] is cancelled: the turn commits Cancelled, which deletes the instance's tasks.</summary>
    private void CommitCancel(string id)
    {
        Assert.Equal(DeliveryResult.Accepted, Store.Cancel(id));
        var claimed = Store.ClaimInstances("turns", 100, Now, Now.AddMinutes(1)).Single(c => c.Instance.Id == id);
        Assert.NotNull(Store.CommitTurns([new TurnCommit
        {
            InstanceId = id,
            Revision = claimed.Revision,
            Status = InstanceStatus.Cancelled,
            Error = "CancelledError",
            ErrorSummary = "CancelledError",
            ConsumedThrough = claimed.Inbox[^1].Id,
        }]).Single());
        Assert.Equal(0, Store.GetPendingWork(id).Activities.Count);
    }

    [Fact]
    public async Task A_cancel_committed_during_an_attempt_stops_the_retries()
    {
        var attempts = new List<int>();
        Registry.Add("charge", JToken? (ActivityContext context) =>
        {
            attempts.Add(context.Attempt);
            if (context.Attempt == 2) CommitCancel("i1");
            throw new InvalidOperationException($"declined {context.Attempt}");
        });
        StartWithActivity("i1", "charge", retries: 10);

        Assert.Equal(0, await Worker().RunOnceAsync());

        Assert.Equal([1, 2], attempts);
        Assert.Contains(Log.At(LogLevel.Information), m => m.Contains("charge (i1/1) stopped after 2 attempts") && m.Contains("no longer waits"));
        Assert.Equal(InstanceStatus.Cancelled, Store.GetInstance("i1")!.Status);
    }

    [Fact]
    public async Task A_cancel_committed_during_the_backoff_stops_the_retry_before_it_calls_the_handler()
    {
        var attempts = new List<int>();
        Registry.Add("charge", JToken? (ActivityContext context) =>
        {
            attempts.Add(context.Attempt);
            throw new InvalidOperationException("declined");
        });
        StartWithActivity("i1", "charge", retries: 10);
        // Attempt 1 failed and is recorded; the cancel commits before attempt 2 would start.
        Spy.AfterRecord = _ =>
        {
            Spy.AfterRecord = null;
            CommitCancel("i1");
        };

        Assert.Equal(0, await Worker().RunOnceAsync());

        Assert.Equal([1], attempts);
        Assert.Contains(Log.At(LogLevel.Information), m => m.Contains("stopped after 1 attempts"));
    }

    /// <summary>Runs [worker] until the test ends it; returns the run and its stop.</summary>
    private static (Task Run, CancellationTokenSource Stop) Running(ActivityWorker worker)
    {
        var stop = new CancellationTokenSource();
        return (Task.Run(() => worker.RunAsync(stop.Token)), stop);
    }

    /// <summary>A handler that waits on its token: [started] when it runs, [cancelled] when its token fires.</summary>
    private void AddWaitingHandler(TaskCompletionSource started, TaskCompletionSource cancelled, List<int> attempts) =>
        Registry.Add("wait", async context =>
        {
            lock (attempts) attempts.Add(context.Attempt);
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
            return JValue.CreateNull();
        });

    [Fact]
    public async Task A_task_deleted_by_another_process_has_its_running_handler_cancelled_at_the_next_renewal()
    {
        var (started, cancelled, attempts) = (new TaskCompletionSource(), new TaskCompletionSource(), new List<int>());
        AddWaitingHandler(started, cancelled, attempts);
        StartWithActivity("i1", "wait", retries: 5);
        var options = FastOptions();
        options.LeaseDuration = TimeSpan.FromSeconds(1.5); // renewed every 0.5 s
        var worker = Worker(options);
        var (run, stop) = Running(worker);

        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        CommitCancel("i1");
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30)); // TimeoutException: the handler was never told

        await WaitForLog(m => m.Contains("wait (i1/1) stopped after 1 attempts"));
        stop.Cancel();
        await run;
        Assert.Equal([1], attempts);
    }

    [Fact]
    public async Task Abandon_cancels_the_running_handlers_of_an_ended_instance_at_once()
    {
        var (started, cancelled, attempts) = (new TaskCompletionSource(), new TaskCompletionSource(), new List<int>());
        AddWaitingHandler(started, cancelled, attempts);
        StartWithActivity("i1", "wait", retries: 5);
        var options = FastOptions();
        options.LeaseDuration = TimeSpan.FromHours(1); // no renewal comes: only Abandon can tell the handler
        var worker = Worker(options);
        var (run, stop) = Running(worker);

        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        CommitCancel("i1");
        worker.Abandon("i2"); // another instance's: nothing happens
        worker.Abandon("i1", [2]); // another future of i1's: nothing happens
        Assert.False(cancelled.Task.IsCompleted);
        worker.Abandon("i1");
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await WaitForLog(m => m.Contains("wait (i1/1) stopped after 1 attempts"));
        stop.Cancel();
        await run;
        Assert.Equal([1], attempts);
    }

    [Fact]
    public async Task A_long_activity_keeps_its_lease_while_it_runs_and_no_other_worker_takes_it()
    {
        var running = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var calls = 0;
        Registry.Add("long", async context =>
        {
            Interlocked.Increment(ref calls);
            running.TrySetResult();
            await release.Task;
            return "done";
        });
        StartWithActivity("i1", "long", timeoutSeconds: 600);
        var options = FastOptions();
        options.LeaseDuration = TimeSpan.FromSeconds(6); // renewed every 2 s: a renewal may come 4 s late on a busy machine
        var (run, stop) = Running(Worker(options));

        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // More than a lease and a half: another worker looks each second and never finds the task free.
        for (var second = 0; second < 10; second++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(Store.ClaimActivities("other", 10, Now, Now.AddSeconds(6)));
        }
        release.SetResult();
        var entry = Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(30)));
        Assert.Equal((InboxKind.ActivityCompleted, "\"done\""), (entry.Kind, entry.Payload));
        stop.Cancel();
        await run;
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_task_whose_lease_ran_out_while_it_ran_here_is_not_started_again_by_this_worker()
    {
        var running = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var calls = 0;
        Registry.Add("long", async context =>
        {
            Interlocked.Increment(ref calls);
            running.TrySetResult();
            await release.Task;
            return "done";
        });
        StartWithActivity("i1", "long", timeoutSeconds: 600);
        var options = FastOptions();
        options.LeaseDuration = TimeSpan.FromHours(1); // the renewal timer never ticks in this test
        var clock = new ShiftedClock(TimeSpan.Zero);
        var (run, stop) = Running(Worker(options, clock));

        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Offset = TimeSpan.FromHours(2); // as if every renewal had come late: the lease has run out
        await WaitForLog(m => m.Contains("ran out while its handler ran here"), LogLevel.Warning);
        release.SetResult();
        var entry = Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(30)));
        Assert.Equal((InboxKind.ActivityCompleted, "\"done\""), (entry.Kind, entry.Payload));
        stop.Cancel();
        await run;
        Assert.Equal(1, calls);
    }

    private async Task WaitForLog(Func<string, bool> match, LogLevel level = LogLevel.Information)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Log.At(level).Any(match))
        {
            Assert.True(DateTime.UtcNow < deadline, "no such log line:\n" + string.Join("\n", Log.At(level)));
            await Task.Delay(20);
        }
    }
}
