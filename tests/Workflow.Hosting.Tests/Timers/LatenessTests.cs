using Workflow.Durable;
using Workflow.Hosting.Timers;
using Xunit.Abstractions;

namespace Workflow.Hosting.Tests.Timers;

/// <summary>Lateness is measured alone: tests running beside it would measure the machine's load instead.</summary>
[CollectionDefinition(nameof(LatenessTests), DisableParallelization = true)]
public sealed class LatenessCollection;

[Collection(nameof(LatenessTests))]
public sealed class LatenessTests(ITestOutputHelper output) : HostingTest
{
    private int _rounds;

    /// <summary>Issue 7's shape: many timers due in the same second all fire, none early. Prints the lateness.</summary>
    [Theory]
    [InlineData(1000, 0)]
    [InlineData(1000, 1000)]
    public async Task ManyTimersDueTogether_FireWithLittleLateness(int count, int spreadMs)
    {
        var spy = new SpyStore(Store);
        await using var scheduler = new QuartzTimerScheduler(spy, new WorkflowDatabase.Sqlite(DatabasePath), () => Interlocked.Increment(ref _rounds));
        await scheduler.StartAsync();
        var start = Now.AddSeconds(2);
        var rows = new List<TimerRow>();
        for (var i = 0; i < count; i += 100)
        {
            var id = $"i{i / 100}";
            var timers = Enumerable.Range(i, Math.Min(100, count - i))
                .Select(n => new TimerRequest(n + 1, start.AddMilliseconds(spreadMs * n / (double)count))).ToList();
            StartWaiting(id, timers: timers);
            rows.AddRange(timers.Select(t => new TimerRow(id, t.Sequence, t.DueAt)));
        }
        scheduler.Schedule(rows);
        await scheduler.WhenScheduledAsync();
        Assert.True(Now < start, "scheduling took longer than the lead time");

        await TimerTests.WaitUntil(() => spy.Fired.Count >= count, TimeSpan.FromSeconds(60));

        var lateness = spy.Fired.Select(f => (f.FiredAt - f.Row.DueAt).TotalMilliseconds).Order().ToArray();
        double P(double q) => lateness[(int)Math.Min(lateness.Length - 1, Math.Ceiling(q * lateness.Length) - 1)];
        output.WriteLine($"{count} timers over {spreadMs} ms: lateness p50 {P(0.5):0.0} ms, p99 {P(0.99):0.0} ms, max {lateness[^1]:0.0} ms, min {lateness[0]:0.0} ms; {_rounds} firing rounds");
        Assert.Equal(count, lateness.Length);
        Assert.True(lateness[0] >= -1, $"a timer fired {-lateness[0]} ms early");
        // No bound on lateness here: speed targets live in the benchmarks (issue 7 measures p99 against its
        // 50 ms target), and a bound in a unit test failed when other test assemblies loaded the machine.
        Assert.Equal(0, Store.Summary().Timers);
    }

}
