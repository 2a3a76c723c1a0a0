using Workflow.Runtime;

namespace Workflow.Tests.Runtime;

/// <summary>
/// A gather of a gather of … (`f = gather(f)` in a loop) is as deep as the script makes it: the
/// signal that settles its innermost part, the await that claims a queued signal for it, and the
/// settling of every future up the chain follow it with work lists. This four-line workflow used
/// to overflow the stack and kill the process. Run on a 256 KB stack, where a recursion per
/// future would do the same to the test run.
/// </summary>
public class FutureChainTests
{
    private const int QuarterMegabyte = 256 * 1024;
    private const int Length = 10_000;

    /// <summary>Runs [source] until it waits, then resumes its pickle with [signals]; what it printed after resuming.</summary>
    private static string RunAndResume(string source, params (string Name, string Payload)[] signals) => SmallStack.Run(QuarterMegabyte, () =>
    {
        var program = WorkflowProgram.Compile(source, "chain.wf");
        Assert.Empty(program.Diagnostics);
        var first = program.Run(null, new StringWriter());
        Assert.True(first.Status == ProgramStatus.Waiting, first.ErrorText);
        var output = new StringWriter();
        var resumed = program.Resume(first.Pickle!, signals, output);
        Assert.True(resumed.Status == ProgramStatus.Completed, resumed.ErrorText);
        return output.ToString();
    });

    private const string Depth = """
        def depth(v):
            n = 0
            while type(v) in (list, tuple):
                v = v[-1]
                n += 1
            return n, v
        """;

    [Theory]
    [InlineData("gather")]
    [InlineData("first")]
    public void A_signal_settles_a_chain_of_combined_futures_awaited_at_its_top(string combine)
    {
        var output = RunAndResume(Depth + "\n" + $"""
            f = signal('go')
            for _ in range({Length}):
                f = {combine}(f)
            print(depth(await f))
            """, ("go", "\"payload\""));
        Assert.Equal($"({Length}, 'payload')\n", output);
    }

    [Fact]
    public void A_signal_queued_before_the_await_is_claimed_through_the_whole_chain()
    {
        var output = RunAndResume(Depth + "\n" + $"""
            f = signal('go')
            for _ in range({Length}):
                f = gather(f)
            await signal('first')
            print(depth(await f))
            """, ("first", "null"), ("go", "\"payload\""));
        Assert.Equal($"({Length}, 'payload')\n", output);
    }
}
