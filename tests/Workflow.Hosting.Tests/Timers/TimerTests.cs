using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Workflow.Durable;
using Workflow.Hosting.Timers;

namespace Workflow.Hosting.Tests.Timers;

public sealed class TimerTests : HostingTest, IAsyncLifetime
{
    private readonly List<QuartzTimerScheduler> _schedulers = new();
    private int _wakeUps;

    private QuartzTimerScheduler Scheduler(IWorkflowStore? store = null, TimerSchedulerOptions? options = null)
    {
        var scheduler = new QuartzTimerScheduler(store ?? Store, new WorkflowDatabase.Sqlite(DatabasePath), () => Interlocked.Increment(ref _wakeUps), options: options);
        _schedulers.Add(scheduler);
        return scheduler;
    }

    [Fact]
    public async Task AScheduledTimer_FiresAtItsDueTime()
    {
        var scheduler = Scheduler();
        await scheduler.StartAsync();
        var due = Now.AddSeconds(1.5);
        StartWaiting("i1", timers: [new TimerRequest(1, due)]);

        scheduler.Schedule([new TimerRow("i1", 1, due)]);
        await scheduler.WhenScheduledAsync();
        Assert.Empty(Inbox("i1"));
        var inbox = await WaitForInbox("i1", TimeSpan.FromSeconds(10));
        var arrived = Now;

        var entry = Assert.Single(inbox);
        Assert.Equal((InboxKind.TimerFired, 1), (entry.Kind, entry.Sequence));
        Assert.True(arrived >= due, $"fired {(due - arrived).TotalMilliseconds} ms early");
        Assert.True(arrived - due < TimeSpan.FromSeconds(1), $"fired {(arrived - due).TotalMilliseconds} ms late");
        Assert.Equal(0, Store.Summary().Timers);
        Assert.True(_wakeUps >= 1);
    }

    [Fact]
    public async Task ATimerCommittedButNeverScheduled_FiresAfterStartReconciles()
    {
        // The turn committed the timer row, then the process died before anything told Quartz.
        StartWaiting("i1", timers: [new TimerRequest(1, Now.AddMilliseconds(800))]);
        Assert.Empty(Inbox("i1"));

        await Scheduler().StartAsync();

        var entry = Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(10)));
        Assert.Equal((InboxKind.TimerFired, 1), (entry.Kind, entry.Sequence));
    }

    [Fact]
    public async Task ATimerThatFellDueWhileNothingRan_FiresAtOnceOnStart()
    {
        StartWaiting("i1", timers: [new TimerRequest(1, Now.AddMinutes(-10)), new TimerRequest(2, Now.AddHours(1))]);

        var started = DateTime.UtcNow;
        await Scheduler().StartAsync();
        var entry = Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(10)));

        Assert.Equal((InboxKind.TimerFired, 1), (entry.Kind, entry.Sequence));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), $"took {DateTime.UtcNow - started}");
        Assert.Equal(1, Store.Summary().Timers);
    }

    [Fact]
    public async Task ARecreatedScheduler_OnTheSameFile_TakesOverTheTriggers()
    {
        var first = Scheduler();
        await first.StartAsync();
        var due = Now.AddSeconds(1.5);
        StartWaiting("i1", timers: [new TimerRequest(1, due)]);
        first.Schedule([new TimerRow("i1", 1, due)]);
        await first.WhenScheduledAsync();
        await first.DisposeAsync();
        // Quartz's tables live in the workflow file and keep the trigger.
        Assert.True(TriggerExists(first.SchedulerName, QuartzTimerScheduler.TriggerName(first.SlotOf(due))));

        var second = Scheduler();
        await second.StartAsync();
        Assert.Equal(first.SchedulerName, second.SchedulerName);
        StartWaiting("i2", timers: [new TimerRequest(1, Now.AddMilliseconds(300))]);
        second.Schedule([new TimerRow("i2", 1, Now.AddMilliseconds(300))]);

        Assert.Equal(InboxKind.TimerFired, Assert.Single(await WaitForInbox("i2", TimeSpan.FromSeconds(10))).Kind);
        Assert.Equal(InboxKind.TimerFired, Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(10))).Kind);
        await WaitUntil(() => !TriggerExists(second.SchedulerName, QuartzTimerScheduler.TriggerName(first.SlotOf(due))));
    }

    [Fact]
    public async Task AWakeUpWhoseRowIsGone_FiresNothing()
    {
        var spy = new SpyStore(Store);
        var scheduler = Scheduler(spy);
        await scheduler.StartAsync();
        var due = Now.AddMilliseconds(600);
        StartWaiting("i1", timers: [new TimerRequest(1, due)]);

        // Timer 5 was cancelled before it fired: its row was deleted, its wake-up stayed.
        scheduler.Schedule([new TimerRow("i1", 5, Now.AddMilliseconds(100))]);
        await Task.Delay(400);
        Assert.Empty(Inbox("i1"));
        scheduler.Schedule([new TimerRow("i1", 1, due)]);

        var entry = Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(10)));
        Assert.Equal((InboxKind.TimerFired, 1), (entry.Kind, entry.Sequence));
        Assert.Equal([("i1", 1)], spy.Fired.Select(f => (f.Row.InstanceId, f.Row.Sequence)));
    }

    [Fact]
    public async Task TimersScheduledInSeparateBatches_AllFire()
    {
        var scheduler = Scheduler();
        await scheduler.StartAsync();
        var late = Now.AddMilliseconds(900);
        var early = Now.AddMilliseconds(400);
        StartWaiting("i1", timers: [new TimerRequest(1, late)]);
        StartWaiting("i2", timers: [new TimerRequest(1, early)]);

        scheduler.Schedule([new TimerRow("i1", 1, late)]);
        await scheduler.WhenScheduledAsync();
        scheduler.Schedule([new TimerRow("i2", 1, early)]);
        await scheduler.WhenScheduledAsync();

        Assert.Equal(InboxKind.TimerFired, Assert.Single(await WaitForInbox("i2", TimeSpan.FromSeconds(10))).Kind);
        Assert.Equal(InboxKind.TimerFired, Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(10))).Kind);
    }

    [Fact]
    public async Task SchedulingATimerTwice_FiresItOnce()
    {
        var spy = new SpyStore(Store);
        var scheduler = Scheduler(spy);
        var due = Now.AddMilliseconds(500);
        StartWaiting("i1", timers: [new TimerRequest(1, due)]);
        await scheduler.StartAsync();
        scheduler.Schedule([new TimerRow("i1", 1, due)]);
        scheduler.Schedule([new TimerRow("i1", 1, due)]);

        Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(10)));
        await Task.Delay(300);
        Assert.Single(spy.Fired);
    }

    [Fact]
    public async Task TimersInOneSlot_ShareAWakeUp_AndNoneFiresEarly()
    {
        var spy = new SpyStore(Store);
        var scheduler = Scheduler(spy);
        await scheduler.StartAsync();
        var slotEnd = scheduler.SlotOf(Now.AddSeconds(1));
        var dues = new[] { slotEnd.AddMilliseconds(-9), slotEnd.AddMilliseconds(-4), slotEnd, slotEnd.AddMilliseconds(1) };
        StartWaiting("i1", timers: dues.Select((d, i) => new TimerRequest(i + 1, d)).ToList());

        scheduler.Schedule(dues.Select((d, i) => new TimerRow("i1", i + 1, d)).ToList());
        await WaitUntil(() => spy.Fired.Count == 4);

        Assert.Equal([slotEnd, slotEnd, slotEnd, slotEnd.AddMilliseconds(10)], dues.Select(scheduler.SlotOf));
        Assert.All(spy.Fired, f => Assert.True(f.FiredAt >= f.Row.DueAt, $"timer {f.Row.Sequence} fired {(f.Row.DueAt - f.FiredAt).TotalMilliseconds} ms early"));
        Assert.Equal(4, Inbox("i1").Count);
    }

    [Fact]
    public async Task ATimerBeyondTheHorizon_GetsItsWakeUpFromThePlanningPassOnceItComesWithin()
    {
        // The clock moves only when the test moves it: a planning pass runs because the clock reached
        // it, however slow the machine. It starts on a slot's end, so the start-up's wake-up for now
        // is due at once. Quartz reads this clock too, and looks at its triggers every second.
        var start = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(new DateTimeOffset(start.Ticks - start.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
        var horizon = TimeSpan.FromSeconds(10);
        var scheduler = Scheduler(options: new TimerSchedulerOptions { Horizon = horizon, Time = clock, IdleWaitTime = TimeSpan.FromSeconds(1) });
        var due = clock.GetUtcNow().UtcDateTime.AddHours(1);
        StartWaiting("i1", timers: [new TimerRequest(1, due)]);

        // Neither the start-up's reconcile nor the commit's Schedule gives it a Quartz trigger.
        await scheduler.StartAsync();
        scheduler.Schedule([new TimerRow("i1", 1, due)]);
        await scheduler.WhenScheduledAsync();
        var trigger = QuartzTimerScheduler.TriggerName(scheduler.SlotOf(due));
        Assert.False(TriggerExists(scheduler.SchedulerName, trigger));
        Assert.Equal(0, scheduler.PlanningPasses);

        // Nearly an hour passes: the timer is due in 9.5 s, within the horizon; the planning pass
        // that fell due on the way gives it its wake-up.
        clock.Advance(due - clock.GetUtcNow().UtcDateTime - TimeSpan.FromSeconds(9.5));
        await WaitUntil(() => scheduler.PlanningPasses >= 1, TimeSpan.FromSeconds(30));
        await scheduler.WhenScheduledAsync();
        Assert.True(TriggerExists(scheduler.SchedulerName, trigger), "the planning pass did not give the timer its wake-up");
        Assert.Empty(Inbox("i1"));

        // Its time comes: Quartz fires it (not a sweep: there is none here).
        clock.Advance(due - clock.GetUtcNow().UtcDateTime);
        var entry = Assert.Single(await WaitForInbox("i1", TimeSpan.FromSeconds(30)));
        Assert.Equal((InboxKind.TimerFired, 1), (entry.Kind, entry.Sequence));
    }

    private bool TriggerExists(string schedulerName, string triggerName)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE SCHED_NAME = @name AND TRIGGER_GROUP = @group AND TRIGGER_NAME = @trigger";
        command.Parameters.AddWithValue("@name", schedulerName);
        command.Parameters.AddWithValue("@group", QuartzTimerScheduler.TriggerGroup);
        command.Parameters.AddWithValue("@trigger", triggerName);
        return Convert.ToInt32(command.ExecuteScalar()) == 1;
    }

    internal static async Task WaitUntil(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not met in time");
            await Task.Delay(20);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var scheduler in _schedulers) await scheduler.DisposeAsync();
    }
}
