using Workflow.Pickling;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Tests.Pickling;

/// <summary>
/// An instance that waits while it holds data nested a hundred thousand deep is pickled and
/// resumed without recursing on that depth: containers are heap entries, written and filled in
/// with loops. Objects whose constructors need one another (a class and its base, an iterator and
/// its source) are rebuilt recursively, to ValueNesting.MaxDepth of them, and past that the pickle
/// is refused with a PickleException (the turn then fails the instance with its message). Each
/// test runs on a small stack, where a recursion as deep as the data would kill the test run.
/// </summary>
public class DeepStatePickleTests
{
    private const int QuarterMegabyte = 256 * 1024;
    private const int HalfMegabyte = 512 * 1024;

    /// <summary>Runs [source] until it waits for signal `go`, then resumes its pickle with that signal; what it printed after resuming.</summary>
    private static string RunThroughAPickle(string source, out byte[] pickle)
    {
        var program = WorkflowProgram.Compile(source, "deep.wf");
        Assert.Empty(program.Diagnostics);
        var first = program.Run(null, new StringWriter());
        Assert.True(first.Status == ProgramStatus.Waiting, first.ErrorText);
        pickle = first.Pickle!;
        var output = new StringWriter();
        var resumed = program.Resume(pickle, [("go", "null")], output);
        Assert.True(resumed.Status == ProgramStatus.Completed, resumed.ErrorText);
        return output.ToString();
    }

    /// <summary>Data nested 100,000 deep in main's locals, live across the await.</summary>
    private const string DeepData = """
        def depth(v, step):
            n = 0
            while v is not None:
                v = step(v)
                n += 1
            return n

        def main(input):
            x = []
            t = ()
            d = {}
            e = ValueError(0)
            for i in range(100000):
                x = [x]
                t = (t, i)
                d = {'k': d}
                e = ValueError(e)
            await signal('go')
            print(depth(x, lambda v: v[0] if v else None))
            print(depth(t, lambda v: v[0] if v else None))
            print(depth(d, lambda v: v['k'] if v else None))
            print(depth(e, lambda v: v.args[0] if type(v) is ValueError else None))
        """;

    [Fact]
    public void Data_nested_100000_deep_is_pickled_and_resumed_on_a_256_KB_stack()
    {
        var output = SmallStack.Run(QuarterMegabyte, () => RunThroughAPickle(DeepData, out _));
        // 100,001 containers each (the innermost empty one too); the exceptions end in their 0.
        Assert.Equal("100001\n100001\n100001\n100002\n", output);
    }

    /// <summary>
    /// Ten thousand levels are enough to overflow a 256 KB stack with one frame each, and read
    /// five times faster than a hundred thousand (the report parses the whole pickle).
    /// </summary>
    [Fact]
    public void The_stack_report_of_deep_data_stops_at_its_display_depth()
    {
        var pickle = SmallStack.Run(HalfMegabyte, () =>
        {
            RunThroughAPickle(DeepData.Replace("range(100000)", "range(10000)"), out var p);
            return p;
        });
        var text = SmallStack.Run(QuarterMegabyte, () => StackReport.Text(pickle));
        var json = SmallStack.Run(QuarterMegabyte, () => StackReport.Json(pickle).ToString());
        // Four levels are shown, then the kind alone.
        Assert.Contains("<exception…>", text);
        Assert.Contains("<list…>", text);
        Assert.True(text.Length < 10_000, $"the report is {text.Length} characters long");
        Assert.Contains("<exception…>", json);
    }

    /// <summary>The body of a loop that makes `x` a class deriving from the class `x` was.</summary>
    private const string DerivedClass = "class D(x):\n        pass\n    x = D";

    /// <summary>
    /// A chain of [length] objects built by [build] from the one before (`x`), starting with
    /// [start]; after resuming, [check] must print what it did before the pickle.
    /// </summary>
    private static string ChainThroughAPickle(string start, string build, int length, string check) => SmallStack.Run(HalfMegabyte, () =>
        RunThroughAPickle($$"""
            def bases(c):
                n = 0
                while c is not object:
                    c = c.__base__
                    n += 1
                return n
            x = {{start}}
            for _ in range({{length - 1}}):
                {{build}}
            before = {{check}}
            await signal('go')
            print(before == {{check}}, before)
            """, out _));

    [Theory]
    [InlineData("iter([1])", "x = enumerate(x)", "type(x).__name__")]
    [InlineData("iter([1, 2])", "x = filter(None, x)", "type(x).__name__")]
    [InlineData("object", DerivedClass, "bases(x)")]
    public void A_chain_of_objects_that_need_one_another_is_rebuilt_up_to_the_limit(string start, string build, string check)
    {
        Assert.StartsWith("True ", ChainThroughAPickle(start, build, ValueNesting.MaxDepth - 1, check));
    }

    [Theory]
    [InlineData("iter([1])", "x = enumerate(x)")]
    [InlineData("object", DerivedClass)]
    public void A_longer_chain_is_refused_with_a_PickleException_not_a_stack_overflow(string start, string build)
    {
        var source = $"x = {start}\nfor _ in range(100000):\n    {build}\nawait signal('go')\n";
        var program = WorkflowProgram.Compile(source, "deep.wf");
        var waiting = SmallStack.Run(HalfMegabyte, () => program.Run(null, new StringWriter()));
        Assert.Equal(ProgramStatus.Waiting, waiting.Status);
        var refused = Assert.Throws<PickleException>(() =>
            SmallStack.Run(HalfMegabyte, () => program.Resume(waiting.Pickle!, [("go", "null")], new StringWriter())));
        Assert.Matches(@"^heap\[\d+\]: objects nest too deeply to rebuild: more than 1,000 that each need the next one to be built first", refused.Message);
    }
}
