using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Endless script loops: a turn runs at most one time slice, then other instances get the worker; the
/// instance's CPU budget across slices (10 s) fails it with `execution limit exceeded`.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class CpuBudgetTests(HostileServer server, ITestOutputHelper output)
{
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
            output.WriteLine($"{name}: failed after {ended["turns"]} turns, {(DateTime.UtcNow - started).TotalSeconds:0} s after the start");
        }
        await server.AssertStillServing(output);
    }
}
