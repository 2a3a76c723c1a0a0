using System.Diagnostics;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting.Activities;
using ActivityContext = Workflow.Hosting.Activities.ActivityContext;

namespace Workflow.Hosting.Tests.Activities;

public sealed class FailureTests : ActivityTest
{
    [Fact]
    public async Task ASlowHandler_FailsWithATimeoutNamingItsSeconds()
    {
        var cancelled = false;
        Registry.Add("slow", async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }
            return "too late";
        });
        StartWithActivity("i1", "slow", retries: 0, timeoutSeconds: 0.2);

        var clock = Stopwatch.StartNew();
        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(cancelled);
        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.Equal("activity 'slow' timed out after 0.2 s", entry.Payload);
    }

    [Fact]
    public async Task TimeoutsAreRetriedLikeOtherFailures()
    {
        var attempts = 0;
        Registry.Add("slow_then_fast", async context =>
        {
            if (Interlocked.Increment(ref attempts) == 1) await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
            return context.Attempt;
        });
        StartWithActivity("i1", "slow_then_fast", retries: 1, timeoutSeconds: 0.2);

        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.Equal("2", Assert.Single(Inbox("i1")).Payload);
        Assert.Equal("activity 'slow_then_fast' timed out after 0.2 s", Assert.Single(Spy.Recorded).Error);
    }

    [Fact]
    public async Task AnUnknownActivity_FailsAtOnce()
    {
        StartWithActivity("i1", "charge_card", retries: 3);

        Assert.Equal(1, await Worker().RunOnceAsync());

        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.Equal("no activity named 'charge_card' is registered", entry.Payload);
        Assert.Empty(Spy.Recorded);
    }

    [Fact]
    public async Task TheHandler_GetsNameArgumentsAndTheIdempotencyKey()
    {
        ActivityContext? seen = null;
        Registry.Add("capture", context =>
        {
            seen = context;
            return JValue.CreateNull();
        });
        StartWaiting("order-42", activities: [new ActivityRequest(7, "capture", """[1, "two", {"three": 3}]""", null, null)]);

        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.NotNull(seen);
        Assert.Equal("order-42/7", seen.IdempotencyKey);
        Assert.Equal("capture", seen.Name);
        Assert.Equal(1, seen.Attempt);
        Assert.Equal("""[1,"two",{"three":3}]""", seen.Arguments.ToString(Newtonsoft.Json.Formatting.None));
        var entry = Assert.Single(Inbox("order-42"));
        Assert.Equal((InboxKind.ActivityCompleted, 7, "null"), (entry.Kind, entry.Sequence, entry.Payload));
    }

    [Fact]
    public async Task NothingClaimable_FinishesNothing()
    {
        Assert.Equal(0, await Worker().RunOnceAsync());
        Assert.Equal(1, Spy.Claims);
    }

    [Fact]
    public async Task RunOnce_ThrowsAStoreFailure()
    {
        Spy.ClaimFailuresLeft = 1;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Worker().RunOnceAsync());
        Assert.Equal("database is locked (simulated)", error.Message);
    }

    [Fact]
    public async Task Run_LogsAStoreFailureAndGoesOn()
    {
        Spy.ClaimFailuresLeft = 2;
        Registry.Add("ping", _ => "pong");
        StartWithActivity("i1", "ping");
        var completed = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var worker = Worker(onCompleted: () => completed.TrySetResult());

        var run = worker.RunAsync(stop.Token);
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await run;

        Assert.Equal("\"pong\"", Assert.Single(Inbox("i1")).Payload);
        var errors = Log.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("database is locked (simulated)", e.Exception?.Message));
    }

    [Fact]
    public async Task Run_PicksUpWorkWhenWoken()
    {
        Registry.Add("ping", _ => "pong");
        var options = FastOptions();
        options.PollInterval = TimeSpan.FromMinutes(10);
        var completed = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var worker = Worker(options, onCompleted: () => completed.TrySetResult());

        var run = worker.RunAsync(stop.Token);
        await WaitUntilIdle();
        StartWithActivity("i1", "ping");
        worker.Wake();
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await run;

        // With a 10-minute poll interval, only the wake-up explains the second claim.
        Assert.Equal("\"pong\"", Assert.Single(Inbox("i1")).Payload);
        Assert.InRange(Spy.Claims, 2, 3);
    }

    [Fact]
    public async Task Stopping_CancelsRunningHandlersAndLeavesTheirTasks()
    {
        var started = new TaskCompletionSource();
        Registry.Add("forever", async context =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return null;
        });
        StartWithActivity("i1", "forever");
        using var stop = new CancellationTokenSource();

        var run = Worker().RunAsync(stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        // No outcome, no attempt recorded: the task runs again once its lease expires.
        Assert.Empty(Inbox("i1"));
        Assert.Empty(Spy.Recorded);
        Assert.Equal(1, Store.Summary().ActivityTasks);
    }

    [Fact]
    public async Task OutcomesAreWrittenInGroups()
    {
        const int count = 40;
        var gate = new TaskCompletionSource();
        var started = 0;
        Registry.Add("wait", async context =>
        {
            if (Interlocked.Increment(ref started) == count) gate.SetResult();
            await gate.Task;
            return context.Argument(0);
        });
        StartWaiting("i1", activities: Enumerable.Range(1, count).Select(i => new ActivityRequest(i, "wait", $"[{i}]", null, null)).ToList());
        var options = FastOptions();
        options.ClaimBatchSize = count;

        Assert.Equal(count, await Worker(options).RunOnceAsync());

        Assert.Equal(count, Spy.CompleteBatches.Sum());
        Assert.True(Spy.CompleteBatches.Count < count, $"{Spy.CompleteBatches.Count} transactions for {count} outcomes");
        var inbox = Inbox("i1");
        Assert.Equal(Enumerable.Range(1, count), inbox.Select(e => e.Sequence).Order());
        Assert.All(inbox, e => Assert.Equal(e.Sequence.ToString(), e.Payload));
    }

    [Fact]
    public async Task ConcurrencyIsBoundedByMaxConcurrency()
    {
        var running = 0;
        var peak = 0;
        Registry.Add("busy", async _ =>
        {
            var now = Interlocked.Increment(ref running);
            lock (this) peak = Math.Max(peak, now);
            await Task.Delay(30);
            Interlocked.Decrement(ref running);
            return null;
        });
        StartWaiting("i1", activities: Enumerable.Range(1, 12).Select(i => new ActivityRequest(i, "busy", "[]", null, null)).ToList());
        var options = FastOptions();
        options.MaxConcurrency = 3;
        var all = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();

        var run = Worker(options, onCompleted: () => { if (Store.Summary().ActivityTasks == 0) all.TrySetResult(); }).RunAsync(stop.Token);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(20));
        stop.Cancel();
        await run;

        Assert.Equal(12, Inbox("i1").Count);
        Assert.Equal(3, peak);
    }

    [Fact]
    public async Task TasksWithTheSameRetriesAndTimeout_ShareOnePipeline()
    {
        Registry.Add("ok", _ => 1);
        StartWaiting("i1", activities:
        [
            new ActivityRequest(1, "ok", "[]", 2, 5),
            new ActivityRequest(2, "ok", "[]", 2, 5),
            new ActivityRequest(3, "ok", "[]", null, null),
            new ActivityRequest(4, "ok", "[]", 2, 6),
        ]);
        var worker = Worker();

        Assert.Equal(4, await worker.RunOnceAsync());

        Assert.Equal(3, worker.PipelineCount);
    }

    private async Task WaitUntilIdle()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Spy.Claims < 1)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the worker never claimed");
            await Task.Delay(10);
        }
        await Task.Delay(50);
    }
}
