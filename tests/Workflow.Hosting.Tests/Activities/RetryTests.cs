using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting.Tests.Activities;

public sealed class RetryTests : ActivityTest
{
    [Fact]
    public async Task FailingTwiceThenSucceeding_UnderThreeRetries_Completes()
    {
        var attempts = new List<int>();
        Registry.Add("flaky", context =>
        {
            attempts.Add(context.Attempt);
            if (context.Attempt < 3) throw new InvalidOperationException($"boom {context.Attempt}");
            return new JObject { ["ok"] = true, ["attempt"] = context.Attempt };
        });
        StartWithActivity("i1", "flaky", retries: 3);

        var finished = await Worker().RunOnceAsync();

        Assert.Equal(1, finished);
        Assert.Equal([1, 2, 3], attempts);
        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityCompleted, entry.Kind);
        Assert.Equal(1, entry.Sequence);
        Assert.Equal("""{"ok":true,"attempt":3}""", entry.Payload);
        // Each failed attempt was stored with the count of attempts the next one makes.
        Assert.Equal([(2, "boom 1"), (3, "boom 2")], Spy.Recorded.Select(r => (r.Attempts, r.Error)));
        Assert.Equal(0, Store.Summary().ActivityTasks);
    }

    [Fact]
    public async Task AlwaysFailing_UnderTwoRetries_FailsWithTheCauseAfterExactlyThreeAttempts()
    {
        var attempts = new List<int>();
        Registry.Add("broken", async context =>
        {
            attempts.Add(context.Attempt);
            await Task.Yield();
            throw new InvalidOperationException($"card declined ({context.Attempt})");
        });
        StartWithActivity("i1", "broken", retries: 2);

        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.Equal([1, 2, 3], attempts);
        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.Equal("card declined (3)", entry.Payload);
        Assert.Equal([2, 3, 3], Spy.Recorded.Select(r => r.Attempts));
        Assert.Contains(Log.At(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("card declined (3)") && m.Contains("3 of 3"));
    }

    [Fact]
    public async Task ScriptRetries_OverrideTheDefault()
    {
        var calls = 0;
        Registry.Add("broken", async _ =>
        {
            Interlocked.Increment(ref calls);
            await Task.Yield();
            throw new InvalidOperationException("nope");
        });
        StartWaiting("i1", activities: [new ActivityRequest(1, "broken", "[]", 0, null), new ActivityRequest(2, "broken", "[]", null, null)]);
        var options = FastOptions();
        options.Retries = 4;

        Assert.Equal(2, await Worker(options).RunOnceAsync());

        // retries=0 makes one attempt; the default (4 retries) makes five.
        Assert.Equal(6, calls);
        Assert.All(Inbox("i1"), e => Assert.Equal(InboxKind.ActivityFailed, e.Kind));
    }

    [Fact]
    public async Task AfterACrash_TheRetryBudgetGoesOnFromTheStoredCount()
    {
        var attempts = new List<int>();
        Registry.Add("broken", async context =>
        {
            lock (attempts) attempts.Add(context.Attempt);
            await Task.Yield();
            throw new InvalidOperationException($"fail {context.Attempt}");
        });
        StartWithActivity("i1", "broken", retries: 2);

        // Worker A makes attempt 1, records it, and "crashes" during the long backoff delay.
        var slow = FastOptions();
        slow.BaseDelay = slow.MaxDelay = TimeSpan.FromMinutes(10);
        using (var crash = new CancellationTokenSource())
        {
            var run = Worker(slow).RunAsync(crash.Token);
            await WaitUntil(() => !Spy.Recorded.IsEmpty);
            crash.Cancel();
            await run;
        }
        Assert.Equal([1], attempts);
        Assert.Empty(Inbox("i1"));

        // Worker B lives after A's lease expired: it claims the task as attempt 3 and has one attempt left.
        var later = new ShiftedClock(TimeSpan.FromHours(1));
        Assert.Equal(1, await Worker(time: later).RunOnceAsync());

        Assert.Equal([1, 3], attempts);
        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.Equal("fail 3", entry.Payload);
    }

    [Fact]
    public async Task ATaskClaimedWithItsBudgetSpent_FailsAtOnceWithItsLastError()
    {
        var calls = 0;
        Registry.Add("broken", _ =>
        {
            calls++;
            return JValue.CreateNull();
        });
        StartWithActivity("i1", "broken", retries: 1);
        // A worker claimed it (attempt 1), recorded its failure and the start of attempt 2, then died.
        var task = Assert.Single(Store.ClaimActivities("dead", 10, Now, Now.AddMinutes(1)));
        Store.RecordActivityAttempt(task.Id, "dead", 2, "connection reset", Now.AddSeconds(-1));

        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.Equal(0, calls);
        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.Equal("connection reset", entry.Payload);
    }

    [Fact]
    public async Task AttemptsRecordedBeforeTheClaim_AreCountedInTheAttemptNumber()
    {
        var seen = new List<int>();
        Registry.Add("flaky", context =>
        {
            seen.Add(context.Attempt);
            if (context.Attempt < 3) throw new InvalidOperationException("again");
            return "done";
        });
        StartWithActivity("i1", "flaky", retries: 5);
        var task = Assert.Single(Store.ClaimActivities("dead", 10, Now, Now.AddMinutes(1)));
        Store.RecordActivityAttempt(task.Id, "dead", 2, "lost", Now.AddSeconds(-1));

        Assert.Equal(1, await Worker().RunOnceAsync());

        // Claimed as attempt 3, which succeeds.
        Assert.Equal([3], seen);
        Assert.Equal("\"done\"", Assert.Single(Inbox("i1")).Payload);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
