using Workflow.Durable;

namespace Workflow.Tests.Durable;

/// <summary>Fair turns: a turn runs a slice of script; a busy instance is committed as it stands and goes on later, within a run budget.</summary>
public class FairTurnTests
{
    private const string Counting = """
        def main(input):
            total = 0
            for i in range(input):
                total += i
            return total
        """;

    [Fact]
    public void A_long_computation_is_cut_into_slices_that_each_commit_a_resumable_pickle_and_it_ends_with_the_right_result()
    {
        var d = new TurnDriver(Counting, "3000000") { Slice = TimeSpan.FromMilliseconds(5) };
        var last = d.TurnUntilBlocked();
        Assert.Equal((InstanceStatus.Completed, "4499998500000"), (last.Status, last.ResultJson));
        var sliced = d.Commits.Take(d.Commits.Count - 1).ToArray();
        Assert.True(sliced.Length >= 2, $"only {sliced.Length} slices: the loop was not cut");
        Assert.All(sliced, c => Assert.Equal(InstanceStatus.Running, c.Status));
        Assert.All(sliced, c => Assert.NotNull(c.Pickle));
        // The busy time only grows from slice to slice, and the final commit clears it.
        Assert.True(sliced.Zip(sliced.Skip(1)).All(p => p.First.BusyMicros < p.Second.BusyMicros), string.Join(", ", sliced.Select(c => c.BusyMicros)));
        Assert.Equal(0, last.BusyMicros);
    }

    [Fact]
    public void Without_slices_the_same_computation_runs_in_one_turn()
    {
        var d = new TurnDriver(Counting, "300000") { Slice = null };
        var only = d.Turn();
        Assert.Equal((InstanceStatus.Completed, "44999850000"), (only.Status, only.ResultJson));
        Assert.Single(d.Commits);
    }

    [Fact]
    public void A_loop_that_never_blocks_fails_once_its_run_budget_across_slices_is_spent_keeping_its_last_pickle()
    {
        var d = new TurnDriver("def main(input):\n    n = 0\n    while True:\n        n += 1\n")
        {
            Slice = TimeSpan.FromMilliseconds(10),
            RunBudget = TimeSpan.FromMilliseconds(150),
        };
        var last = d.TurnUntilBlocked();
        Assert.Equal(InstanceStatus.Failed, last.Status);
        Assert.Contains("execution limit exceeded", last.Error);
        Assert.Contains("RunBudget", last.Error);
        Assert.True(d.Commits.Count >= 3, $"failed after {d.Commits.Count} turns: the budget should span several slices");
        // The failed turn keeps the pickle the slice before it committed, for inspection.
        Assert.Equal(d.Commits[^2].Pickle, last.Pickle);
    }

    [Fact]
    public void The_run_budget_starts_again_each_time_the_instance_blocks()
    {
        var d = new TurnDriver("""
            def main(input):
                for round in range(3):
                    n = 0
                    for i in range(1500000):
                        n += i
                    await sleep(1)
                return "done"
            """) { Slice = TimeSpan.FromMilliseconds(5) };
        var blocked = d.TurnUntilBlocked();
        Assert.Equal(InstanceStatus.Waiting, blocked.Status);
        Assert.Equal(0, blocked.BusyMicros);
        var timer = Assert.Single(blocked.Timers);
        d.Send(InboxKind.TimerFired, timer.Sequence);
        var next = d.Turn();
        // The first slice after the wake-up counts from zero, not from the busy time before the sleep.
        var before = d.Commits.Take(d.Commits.IndexOf(blocked)).Max(c => c.BusyMicros);
        Assert.True(next.BusyMicros < before, $"busy {next.BusyMicros} µs after the sleep, {before} µs before it");
    }

    [Fact]
    public void Tasklets_switching_on_a_channel_are_sliced_too()
    {
        var d = new TurnDriver("""
            def producer(ch, n):
                for i in range(n):
                    ch.send(i)
                ch.close()

            def main(input):
                ch = channel()
                spawn(producer, ch, input)
                total = 0
                for v in ch:
                    total += v
                return total
            """, "300000") { Slice = TimeSpan.FromMilliseconds(5) };
        var last = d.TurnUntilBlocked();
        Assert.Equal((InstanceStatus.Completed, "44999850000"), (last.Status, last.ResultJson));
        Assert.True(d.Commits.Count >= 2, "the channel ping-pong was never cut into slices");
    }
}
