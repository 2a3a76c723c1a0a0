using Workflow.Durable;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting.Tests.Turns;

/// <summary>
/// Fair turns on a real worker: an instance that computes for its whole 10 s run budget delays a
/// one-activity probe on the same worker by at most two slices. Latencies are the database's own
/// timestamps (created to completed), medians of several probes, measured with and without the
/// spinner in the same test so that the machine's speed cancels out.
/// </summary>
public class SpinnerDelayTests : HostingTest
{
    private static readonly TimeSpan Slice = new TurnOptions().Slice!.Value;

    [Fact]
    public async Task A_ten_second_cpu_loop_delays_a_one_activity_probe_by_at_most_two_slices()
    {
        Store.SaveProgram("probe", "def main(input):\n    return await activity('echo', input)\n", "hash-probe");
        Store.SaveProgram("spin", "def main(input):\n    n = 0\n    while True:\n        n += 1\n", "hash-spin");
        var registry = new ActivityRegistry();
        BuiltinActivities.AddTo(registry, BuiltinActivities.SharedHttp);
        // The configuration a user runs.
        var worker = new DurableWorker(Store, new WorkflowDatabase.Sqlite(DatabasePath), registry, new DurableWorkerOptions());
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        try
        {
            var alone = await ProbeLatencies(worker, "alone", 7);

            Store.StartInstance(new NewInstance("spinner", "spin", "hash-spin", null));
            worker.Wake();
            await WaitFor(() => Store.GetInstance("spinner")!.Turns >= 2, "the spinner to be sliced");

            var beside = await ProbeLatencies(worker, "beside", 7);
            Assert.Equal(InstanceStatus.Running, Store.GetInstance("spinner")!.Status);

            var delay = Median(beside) - Median(alone);
            Assert.True(delay <= 2 * Slice,
                $"probes took {Median(alone).TotalMilliseconds:0} ms alone and {Median(beside).TotalMilliseconds:0} ms beside the spinner (median; all: {string.Join(", ", beside.Select(l => l.TotalMilliseconds.ToString("0")))})");

            // And the spinner ends as the budget says, not taking the worker with it.
            await WaitFor(() => Store.GetInstance("spinner")!.Status == InstanceStatus.Failed, "the spinner to fail", TimeSpan.FromSeconds(60));
            Assert.Contains("execution limit exceeded", Store.GetInstance("spinner")!.Error);
        }
        finally
        {
            stop.Cancel();
            await running;
            await worker.DisposeAsync();
        }
    }

    private async Task<List<TimeSpan>> ProbeLatencies(DurableWorker worker, string name, int count)
    {
        var latencies = new List<TimeSpan>();
        for (int i = 0; i < count; i++)
        {
            var id = $"{name}-{i}";
            Store.StartInstance(new NewInstance(id, "probe", "hash-probe", i.ToString()));
            worker.Wake();
            await WaitFor(() => Store.GetInstance(id)!.Status == InstanceStatus.Completed, $"probe {id}");
            var probe = Store.GetInstance(id)!;
            latencies.Add(probe.UpdatedAt - probe.CreatedAt);
        }
        return latencies;
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task WaitFor(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited too long for {what}");
            await Task.Delay(5);
        }
    }
}
