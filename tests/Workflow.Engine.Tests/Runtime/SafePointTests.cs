using Workflow.Runtime;

namespace Workflow.Tests.Runtime;

/// <summary>InterpreterOptions.StopAtSafePoints: the VM hands control back at every safe point and otherwise runs as it would.</summary>
public class SafePointTests
{
    // Two tasklets that outlive several preemption budgets each and a channel between them: where
    // preemption falls decides the order of the lines printed.
    private const string Interleaved = """
        def counter(name, n):
            total = 0
            for i in range(n):
                total += i
                if i % 40 == 0:
                    print(name, i)
            return total

        def producer(ch):
            for i in range(5):
                ch.send(i)
            ch.close()

        def main(input):
            a = spawn(counter, 'a', 200)
            b = spawn(counter, 'b', 200)
            ch = channel()
            spawn(producer, ch)
            got = [v for v in ch]
            return [await a, await b, got]
        """;

    [Fact]
    public void A_vm_that_stops_at_safe_points_prints_and_returns_what_a_plain_run_does_and_stops_many_times()
    {
        var program = WorkflowProgram.Compile(Interleaved, "interleaved.wf");
        Assert.False(program.HasErrors, string.Join("\n", program.Diagnostics));

        var plainOutput = new StringWriter();
        var plain = program.NewInterpreter(plainOutput, new InterpreterOptions { PreemptionTicks = 50 });
        plain.Start(program.Code!, null);
        var plainOutcome = plain.Continue();
        Assert.NotNull(plainOutcome);

        var options = new InterpreterOptions { PreemptionTicks = 50, StopAtSafePoints = true };
        var stoppingOutput = new StringWriter();
        var stopping = program.NewInterpreter(stoppingOutput, options);
        stopping.Start(program.Code!, null);
        var stops = 0;
        ProgramOutcome? outcome;
        while ((outcome = stopping.Continue()) == null) stops++;

        Assert.False(options.Chaos, "stopping at safe points is not chaos mode");
        Assert.True(stops > 100, $"only {stops} stops");
        Assert.Equal(ProgramStatus.Completed, plainOutcome!.Status);
        Assert.Equal(plainOutcome.Status, outcome.Status);
        Assert.Equal(plainOutput.ToString(), stoppingOutput.ToString());
        Assert.Contains("a 40", plainOutput.ToString());
        Assert.Equal(JsonValues.DumpsData(plainOutcome.Result!, "result"), JsonValues.DumpsData(outcome.Result!, "result"));
    }

    [Fact]
    public void A_plain_vm_runs_to_the_end_in_one_call()
    {
        var program = WorkflowProgram.Compile(Interleaved, "interleaved.wf");
        var vm = program.NewInterpreter(new StringWriter(), new InterpreterOptions { PreemptionTicks = 50 });
        vm.Start(program.Code!, null);
        Assert.Equal(ProgramStatus.Completed, vm.Continue()?.Status);
    }
}
