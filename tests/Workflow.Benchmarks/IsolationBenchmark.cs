using System.Collections.Concurrent;
using System.Diagnostics;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Hosting.Activities;
using Workflow.Migrations.Sqlite;
using Workflow.Persistence;

namespace Workflow.Benchmarks;

/// <summary>
/// Fair turns (issue "one workflow cannot hurt another"): the latency of a one-activity probe
/// workflow with 0 and with 4 instances spinning on the same worker (target: p99 beside the
/// spinners at most 3x p99 alone), and durable steps/s at 100 instances with slices on against
/// the behaviour before them, a turn running until every tasklet blocks (target: at most 5 % slower).
/// </summary>
internal sealed class IsolationBenchmark(Sizes sizes, Report report)
{
    private const int Spinners = 4;
    private const double LatencyTarget = 3.0;
    private const double SlowdownTarget = 0.95;

    private const string ProbeProgram = "def main(input):\n    return await activity('echo', input)\n";

    /// <summary>
    /// Computes for about a second at a time, then blocks for a millisecond: busy for good, yet
    /// within its run budget, so the spinners spin through the whole measurement.
    /// </summary>
    private const string SpinnerProgram = """
        def main(input):
            while True:
                n = 0
                for i in range(20000000):
                    n += i
                await sleep(0.001)
        """;

    public int Run()
    {
        using var scratch = new ScratchDirectory("wf-bench-isolation-");
        var (alone, beside) = ProbeLatencies(scratch.Path);
        Console.WriteLine($"probe = one `echo` activity; {sizes.IsolationProbes} probes one after another, start to completion, on one worker with default options");
        Console.WriteLine($"{"",22} {"p50 ms",8} {"p99 ms",8}");
        Console.WriteLine($"{"alone",22} {Percentile(alone, 50),8:F1} {Percentile(alone, 99),8:F1}");
        Console.WriteLine($"{$"beside {Spinners} spinners",22} {Percentile(beside, 50),8:F1} {Percentile(beside, 99),8:F1}");
        report.Add("isolation", $"probe latency p50 beside {Spinners} spinning instances", $"{Percentile(beside, 50):F1} ms", $"alone: {Percentile(alone, 50):F1} ms",
            $"{Percentile(beside, 50) / Percentile(alone, 50):F2}x");
        var p99Ratio = Percentile(beside, 99) / Percentile(alone, 99);
        report.Target("isolation", $"probe latency p99 beside {Spinners} spinning instances", $"{Percentile(beside, 99):F1} ms", $"alone: {Percentile(alone, 99):F1} ms",
            $"{p99Ratio:F2}x", $"<= {LatencyTarget:F0}x", p99Ratio <= LatencyTarget);

        Console.WriteLine();
        var durable = new DurableBenchmark(sizes, report);
        var sliced = new List<double>();
        var whole = new List<double>();
        Console.WriteLine($"durable steps/s at 100 instances, {sizes.IsolationRounds} round(s) of each, alternating: slices on (50 ms), off (a turn runs until every tasklet blocks)");
        for (int round = 0; round < sizes.IsolationRounds; round++)
        {
            sliced.Add(durable.Throughput(scratch.Path, 100).StepsPerSecond);
            whole.Add(durable.Throughput(scratch.Path, 100, new DurableWorkerOptions { Turns = new WorkerOptions { Turn = new TurnOptions { Slice = null } } }).StepsPerSecond);
            Console.WriteLine($"  round {round + 1}: on {sliced[^1]:F0}, off {whole[^1]:F0}");
        }
        var (on, off) = (Median(sliced), Median(whole));
        report.Target("isolation", "durable steps/s at 100 instances, slices on (median of rounds)", $"{on:F0}", $"slices off: {off:F0}",
            $"{on / off:F2}x", $">= {SlowdownTarget:F2}x", on / off >= SlowdownTarget);
        return 0;
    }

    /// <summary>Probe latencies alone, then beside the spinners, on one worker and one database.</summary>
    private (List<double> Alone, List<double> Beside) ProbeLatencies(string dir)
    {
        var path = Path.Combine(dir, "probes.db");
        using var store = SqliteWorkflowDatabase.Open(path, new SqliteStoreOptions { Synchronous = SqliteSynchronous.Full });
        var client = new WorkflowClient(store);
        Deploy(client, "probe", ProbeProgram);
        Deploy(client, "spin", SpinnerProgram);
        var completed = new ConcurrentDictionary<string, TaskCompletionSource>();
        var registry = new ActivityRegistry();
        BuiltinActivities.AddTo(registry, BuiltinActivities.SharedHttp);
        var worker = new DurableWorker(store, new WorkflowDatabase.Sqlite(path), registry, committed: (commit, _) =>
        {
            if (commit.Status.IsFinal() && completed.TryGetValue(commit.InstanceId, out var done)) done.TrySetResult();
        });
        using var stop = new CancellationTokenSource();
        var run = worker.RunAsync(stop.Token);
        try
        {
            Probes(client, worker, completed, "warm-up", 10);
            var alone = Probes(client, worker, completed, "alone", sizes.IsolationProbes);
            for (int i = 0; i < Spinners; i++) client.Start("spin", null, $"spinner-{i}");
            worker.Wake();
            var clock = Stopwatch.StartNew();
            while (Enumerable.Range(0, Spinners).Any(i => store.GetInstance($"spinner-{i}")!.Turns < 2))
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("the spinners did not start");
                Thread.Sleep(10);
            }
            var beside = Probes(client, worker, completed, "beside", sizes.IsolationProbes);
            var stopped = Enumerable.Range(0, Spinners).Select(i => store.GetInstance($"spinner-{i}")!).Where(s => s.Status.IsFinal()).ToList();
            if (stopped.Count > 0) throw new InvalidOperationException($"a spinner ended during the measurement: {stopped[0].Error}");
            return (alone, beside);
        }
        finally
        {
            stop.Cancel();
            run.Wait();
            worker.DisposeAsync().AsTask().Wait();
        }
    }

    private static List<double> Probes(WorkflowClient client, DurableWorker worker, ConcurrentDictionary<string, TaskCompletionSource> completed, string name, int count)
    {
        var latencies = new List<double>(count);
        for (int i = 0; i < count; i++)
        {
            var id = $"{name}-{i}";
            var done = completed[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = Stopwatch.GetTimestamp();
            client.Start("probe", i.ToString(), id);
            worker.Wake();
            if (!done.Task.Wait(TimeSpan.FromMinutes(1))) throw new TimeoutException($"probe {id} did not complete in a minute");
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return latencies;
    }

    private static void Deploy(WorkflowClient client, string name, string source)
    {
        var program = client.Deploy(name, source);
        if (program.HasErrors) throw new InvalidOperationException(string.Join("\n", program.Diagnostics));
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }

    private static double Median(List<double> values) => Percentile(values, 50);
}
