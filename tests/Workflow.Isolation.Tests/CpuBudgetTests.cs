using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Endless script loops: a turn runs at most one time slice, then other instances get the worker; the
/// instance's CPU budget across slices (10 s) fails it with `execution limit exceeded`.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class CpuBudgetTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>The CPU an instance may use across all its slices.</summary>
    private static readonly TimeSpan CpuBudget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Four_endless_loops_at_once_fail_on_the_cpu_budget_while_probes_complete()
    {
        var started = DateTime.UtcNow;
        var loops = await server.StartOnce("cpu", async api =>
            (await Task.WhenAll(Enumerable.Range(1, 4).Select(async n => ($"spin {n}", await api.Start("spin")))))
            .ToDictionary(c => c.Item1, c => c.Item2));

        // Four loops of 10 s of CPU each on one worker: generous patience for a machine shared with other test runs.
        foreach (var (name, id) in loops)
        {
            var ended = await server.WaitForEnd(id, TimeSpan.FromSeconds(180));
            HostileServer.AssertFailedNaming(ended, "execution limit exceeded");
            var ran = WfApi.Lifetime(ended);
            output.WriteLine($"{name}: failed after {ended["turns"]} turns, {ran.TotalSeconds:0.0} s after it was created");
            // It cannot have used 10 s of CPU in less than 10 s (the timestamps have milliseconds, hence the slack).
            Assert.True(ran >= CpuBudget - TimeSpan.FromMilliseconds(100), $"{name} failed {ran.TotalSeconds:0.0} s after it was created, before its budget could be spent");
        }
        var loopsEnded = DateTime.UtcNow;
        await server.AssertStillServing(output);

        // Without time slices a probe queued behind a loop waits for that loop's whole budget; with them, for a few slices.
        var during = server.Probes.All.Where(p => p.StartedAt >= started && p.StartedAt <= loopsEnded && p.Latency != null).ToArray();
        var slowest = during.MaxBy(p => p.Latency);
        output.WriteLine($"{during.Length} probes started while the loops ran; the slowest took {slowest?.Latency?.TotalMilliseconds:N0} ms");
        Assert.NotEmpty(during);
        Assert.True(slowest!.Latency < CpuBudget, $"probe {slowest.Number} waited {slowest.Latency?.TotalSeconds:0.0} s while the loops ran, as long as one loop's whole CPU budget");
    }
}
