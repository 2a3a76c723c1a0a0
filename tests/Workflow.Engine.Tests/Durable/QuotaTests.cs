using Workflow.Durable;
using Workflow.Runtime;

namespace Workflow.Tests.Durable;

/// <summary>Per-instance quotas: tasklets, pending activities/timers/children, payloads, pickle size, printed output.</summary>
public class QuotaTests
{
    [Fact]
    public void Spawning_past_the_tasklet_limit_raises_RuntimeError_naming_it_and_the_workflow_may_catch_it()
    {
        var (result, output) = Run.Program("""
            def idle():
                schedule()

            def main(input):
                made = 0
                try:
                    while True:
                        spawn(idle)
                        made += 1
                except RuntimeError as e:
                    print(made, e)
            """, options: new InterpreterOptions { MaxTasklets = 50 });
        Assert.Equal(ProgramStatus.Completed, result.Status);
        // main is one of the 50.
        Assert.Equal("49 too many live tasklets: 50 are running or blocked, and the limit is 50 per instance (MaxTasklets)\n", output);
    }

    [Fact]
    public void Finished_tasklets_do_not_count_towards_the_limit()
    {
        var output = Run.Output("""
            def quick(i):
                return i

            def main(input):
                total = 0
                for i in range(200):
                    total += await spawn(quick, i)
                print(total)
            """, options: new InterpreterOptions { MaxTasklets = 10 });
        Assert.Equal("19900\n", output);
    }

    [Theory]
    [InlineData("activity('echo', i)", "activities", "MaxPendingActivities")]
    [InlineData("sleep(60 + i)", "timers", "MaxPendingTimers")]
    [InlineData("child('other', i)", "child workflows", "MaxPendingChildren")]
    public void Starting_past_a_pending_limit_fails_the_instance_naming_the_limit(string start, string what, string option)
    {
        var d = new TurnDriver($"def main(input):\n    futures = [{start} for i in range(30)]\n    return await gather(*futures)\n")
        {
            Interpreter = new InterpreterOptions { MaxPendingActivities = 20, MaxPendingTimers = 20, MaxPendingChildren = 20 },
        };
        var commit = d.Turn();
        Assert.Equal(InstanceStatus.Failed, commit.Status);
        Assert.Contains($"RuntimeError: too many pending {what}: 20 started and not settled, and the limit is 20 per instance ({option})", commit.Error);
    }

    [Fact]
    public void Settled_work_frees_its_place_under_the_pending_limit()
    {
        var d = new TurnDriver("""
            def main(input):
                total = 0
                for round in range(3):
                    total += sum(await gather(*[activity('echo', i) for i in range(10)]))
                return total
            """) { Interpreter = new InterpreterOptions { MaxPendingActivities = 10 } };
        for (int round = 0; round < 3; round++)
        {
            var commit = d.Turn();
            Assert.Equal(InstanceStatus.Waiting, commit.Status);
            foreach (var a in commit.Activities) d.Send(InboxKind.ActivityCompleted, a.Sequence, payload: a.ArgumentsJson[1..^1]);
        }
        var final = d.Turn();
        Assert.Equal((InstanceStatus.Completed, "135"), (final.Status, final.ResultJson));
    }

    [Fact]
    public void Activity_arguments_and_a_childs_input_over_the_payload_limit_raise_ValueError_where_they_are_made()
    {
        var output = Run.Output("""
            def main(input):
                big = "x" * 3000
                for start in [lambda: activity('echo', big), lambda: child('other', big)]:
                    try:
                        start()
                    except ValueError as e:
                        print(e)
                activity('echo', "x" * 1000)
                print("a smaller one is fine")
            """, options: new InterpreterOptions { MaxPayloadBytes = 2048 });
        Assert.Equal(
            "the arguments of activity 'echo' is 2.9 KB of JSON, over the limit of 2 KB for one payload (MaxPayloadBytes)\n" +
            "the input of child 'other' is 2.9 KB of JSON, over the limit of 2 KB for one payload (MaxPayloadBytes)\n" +
            "a smaller one is fine\n", output);
    }

    [Fact]
    public void A_result_over_the_payload_limit_fails_the_instance_and_stores_no_result()
    {
        var d = new TurnDriver("def main(input):\n    return 'x' * 3000\n") { Interpreter = new InterpreterOptions { MaxPayloadBytes = 2048 } };
        var commit = d.Turn();
        Assert.Equal(InstanceStatus.Failed, commit.Status);
        Assert.Null(commit.ResultJson);
        Assert.Equal("ValueError: main's result is 2.9 KB of JSON, over the limit of 2 KB for one payload (MaxPayloadBytes)", commit.Error);
    }

    [Fact]
    public void A_state_over_the_pickle_limit_fails_the_instance_and_keeps_the_previous_pickle()
    {
        var d = new TurnDriver("""
            def main(input):
                await sleep(1)
                state = [f"item {i}" for i in range(20000)]
                await sleep(1)
                return len(state)
            """) { MaxPickleBytes = 64 * 1024 };
        var first = d.Turn();
        Assert.Equal(InstanceStatus.Waiting, first.Status);
        d.Send(InboxKind.TimerFired, Assert.Single(first.Timers).Sequence);
        var second = d.Turn();
        Assert.Equal(InstanceStatus.Failed, second.Status);
        Assert.True(second.Error!.Contains("over the limit of 64 KB pickled (MaxPickleBytes)"), second.Error);
        Assert.Equal(first.Pickle, second.Pickle);
    }

    [Fact]
    public void Output_past_the_limit_of_a_turn_is_dropped_with_a_note_saying_how_much()
    {
        var output = new TurnOutput(maxBytes: 10);
        output.Write("héllo");
        output.Write(" world");
        output.Write("!!!");
        Assert.Equal("héllo wor\n[output truncated: this turn printed 5 more bytes past the limit of 10 bytes per turn (MaxOutputBytes)]\n", output.ToString());
    }

    [Fact]
    public void Output_within_the_limit_is_kept_whole()
    {
        var output = new TurnOutput(maxBytes: 10);
        output.Write("héllo");
        output.Write('!');
        Assert.False(output.IsEmpty);
        Assert.Equal("héllo!", output.ToString());
    }
}
