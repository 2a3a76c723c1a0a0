using System.Collections.Concurrent;
using System.Diagnostics;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Hosting.Activities;
using Workflow.Migrations.Sqlite;
using Workflow.Persistence;

namespace Workflow.Benchmarks;

/// <summary>
/// Timer lateness: [count] instances asleep on timers due within the same second, one
/// DurableWorker (Quartz wake-ups, turns) on a SQLite file with synchronous=FULL. Two latenesses per
/// timer: when it fired (its row became an inbox entry, committed) and when its instance resumed
/// (the workflow's own now() after the await). The baseline is the same two for lone timers, each
/// due 100 ms after the one before, measured first in the same run.
/// </summary>
internal static class TimerBenchmark
{
    /// <summary>Issue 7's target: p99 of the firing lateness of 1,000 timers due in one second.</summary>
    private const double P99TargetMs = 50;
    private const int LoneTimers = 20;

    /// <summary>Sleeps until its input (epoch seconds) and returns how late it woke, in seconds.</summary>
    private const string Program = """
        def main(due):
            await sleep_until(due)
            return now() - due
        """;

    public static int Run(int count, Report report)
    {
        using var scratch = new ScratchDirectory("wf-bench-timers-");
        var dir = scratch.Path;
        var path = Path.Combine(dir, "timers.db");
        using var sqlite = SqliteWorkflowDatabase.Open(path, new SqliteStoreOptions { Synchronous = SqliteSynchronous.Full });
        var fired = new ConcurrentDictionary<(string, int), DateTime>();
        var store = new CountingStore(sqlite)
        {
            TimersFired = rows =>
            {
                var now = DateTime.UtcNow;
                foreach (var row in rows) fired.TryAdd((row.InstanceId, row.Sequence), now);
            },
        };
        var client = new WorkflowClient(store);
        var program = client.Deploy("sleeper", Program);
        if (program.HasErrors) throw new InvalidOperationException(string.Join("\n", program.Diagnostics));
        // Instances that ended, told by the worker as it commits (polling the store would load it while timers fire).
        var ended = new ConcurrentDictionary<string, InstanceStatus>();
        var worker = new DurableWorker(store, new WorkflowDatabase.Sqlite(path), new ActivityRegistry(),
            committed: (commit, _) => { if (commit.Status != InstanceStatus.Waiting) ended[commit.InstanceId] = commit.Status; });
        using var stop = new CancellationTokenSource();
        var run = worker.RunAsync(stop.Token);
        try
        {
            // The first timers pay for the JIT of the firing and resuming paths: not part of either figure.
            Sleep(client, worker, store, fired, ended, "warm-up", 10, spacing: TimeSpan.FromMilliseconds(20));
            var lone = Sleep(client, worker, store, fired, ended, "lone", LoneTimers, spacing: TimeSpan.FromMilliseconds(100));
            var together = Sleep(client, worker, store, fired, ended, "together", count, spacing: TimeSpan.FromSeconds(1) / count);

            Console.WriteLine($"lateness in ms: fired = timer row turned into an inbox entry (committed); resumed = the workflow's now() after the await");
            Console.WriteLine($"{"timers",-36} {"fired p50",10} {"p99",8} {"max",8} {"resumed p50",12} {"p99",8} {"max",8}");
            Print($"{LoneTimers} lone, 100 ms apart", lone);
            Print($"{count:N0} due within one second", together);
            Console.WriteLine();
            report.Add("timers", $"firing lateness p50, {count:N0} timers due in one second", Ms(together.Fired.P50), $"lone timers: {Ms(lone.Fired.P50)}");
            report.Target("timers", $"firing lateness p99, {count:N0} timers due in one second", Ms(together.Fired.P99), $"lone timers: {Ms(lone.Fired.P99)}", "",
                $"<= {P99TargetMs:F0} ms", together.Fired.P99 <= P99TargetMs);
            report.Add("timers", $"firing lateness max, {count:N0} timers due in one second", Ms(together.Fired.Max), $"lone timers: {Ms(lone.Fired.Max)}");
            report.Add("timers", $"resume lateness p99 (the workflow's now() after the await)", Ms(together.Resumed.P99), $"lone timers: {Ms(lone.Resumed.P99)}");
        }
        finally
        {
            stop.Cancel();
            run.Wait();
            worker.DisposeAsync().AsTask().Wait();
        }
        return 0;
    }

    private readonly record struct Percentiles(double P50, double P99, double Max);

    private readonly record struct Lateness(Percentiles Fired, Percentiles Resumed);

    /// <summary>
    /// Starts [count] instances due [spacing] apart from a moment far enough ahead that every one is
    /// asleep (its timer committed and handed to Quartz) before the first is due, and waits for all to end.
    /// </summary>
    private static Lateness Sleep(WorkflowClient client, DurableWorker worker, IWorkflowStore store, ConcurrentDictionary<(string, int), DateTime> fired,
        ConcurrentDictionary<string, InstanceStatus> ended, string prefix, int count, TimeSpan spacing)
    {
        // Creating and putting to sleep 1,000 instances takes about a second on the development machine.
        var first = DateTime.UtcNow + TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(2 * count);
        var dues = Enumerable.Range(0, count).Select(i => first + spacing * i).ToArray();
        for (int i = 0; i < count; i++)
            client.Start("sleeper", (dues[i] - DateTime.UnixEpoch).TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture), $"{prefix}-{i}");
        worker.Wake();
        WaitUntil(() => store.Summary() is { ReadyInstances: 0, Timers: var timers } && timers == count, TimeSpan.FromMinutes(1), "the instances to fall asleep");
        if (DateTime.UtcNow >= first) throw new InvalidOperationException($"the {count} instances took too long to fall asleep: the first timer was due before they all were");

        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToArray();
        WaitUntil(() => ids.All(ended.ContainsKey), TimeSpan.FromMinutes(2), "every instance to resume and end");
        if (ids.FirstOrDefault(id => ended[id] != InstanceStatus.Completed) is { } failed)
            throw new InvalidOperationException($"instance {failed} ended {ended[failed]}: {store.GetInstance(failed)!.Error}");
        var firedLate = new double[count];
        var resumedLate = new double[count];
        for (int i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i}";
            var instance = store.GetInstance(id)!;
            firedLate[i] = (fired[(id, 1)] - dues[i]).TotalMilliseconds;
            resumedLate[i] = 1000 * (double)JToken.Parse(instance.ResultJson!);
        }
        if (firedLate.Min() < -1) throw new InvalidOperationException($"a timer fired {-firedLate.Min():F1} ms early");
        return new Lateness(Of(firedLate), Of(resumedLate));
    }

    private static Percentiles Of(double[] values)
    {
        var sorted = values.Order().ToArray();
        double P(double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];
        return new Percentiles(P(0.5), P(0.99), sorted[^1]);
    }

    private static void Print(string what, Lateness l) =>
        Console.WriteLine($"{what,-36} {l.Fired.P50,10:F1} {l.Fired.P99,8:F1} {l.Fired.Max,8:F1} {l.Resumed.P50,12:F1} {l.Resumed.P99,8:F1} {l.Resumed.Max,8:F1}");

    private static string Ms(double ms) => $"{ms:F1} ms";

    private static void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}");
            Thread.Sleep(20);
        }
    }
}
