using Workflow.Runtime;

namespace Workflow.Tests.Runtime;

/// <summary>
/// Work done in C# by one built-in call is charged to the run (BuiltinWork), so MaxTicks and the
/// turn's deadline stop a program that hides its loop inside built-ins. Each program below loops
/// only a few hundred times in script: without the charges it would finish well inside 1,000,000
/// ticks (or, for the unbounded ones, not finish at all).
/// </summary>
public class BuiltinWorkTests
{
    private static readonly InterpreterOptions MillionTicks = new() { MaxTicks = 1_000_000 };

    private static ExecutionLimitExceeded Stopped(string source, InterpreterOptions options)
    {
        var program = WorkflowProgram.Compile(source, "busy.wf");
        return Assert.Throws<ExecutionLimitExceeded>(() => program.Run(null, new StringWriter(), options));
    }

    [Fact]
    public void Sum_of_a_huge_range_stops_at_MaxTicks_naming_the_caller()
    {
        var error = Stopped("def total():\n    return sum(range(10**12))\nprint(total())\n", MillionTicks);
        Assert.Contains("the program ran 1,000,000 ticks without finishing (at a built-in operation called from total in busy.wf)", error.Message);
    }

    [Fact]
    public async Task Sum_of_a_huge_range_stops_at_the_turn_s_deadline()
    {
        var program = WorkflowProgram.Compile("print(sum(range(10**12)))\n", "busy.wf");
        var vm = program.NewInterpreter(new StringWriter(), new InterpreterOptions());
        vm.LimitTime(TimeSpan.FromMilliseconds(200));
        // Without the charges this would run for hours: the wait fails the test instead.
        var run = Task.Run(() => Assert.Throws<ExecutionLimitExceeded>(() => vm.Run(program.Code!, null)));
        var error = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("one turn ran longer than 0.2 s", error.Message);
    }

    [Theory]
    [InlineData("", "min(range(10**12))")]
    [InlineData("", "max(range(10**12))")]
    [InlineData("", "all(range(1, 10**12))")]
    [InlineData("xs = [''] * 200000", "for _ in range(200):\n    any(xs)")]
    [InlineData("", "for _ in range(200):\n    list(range(100000))")]
    [InlineData("", "for _ in range(200):\n    tuple(range(100000))")]
    [InlineData("", "for _ in range(200):\n    [*range(100000)]")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    -1 in xs")]
    [InlineData("xs = tuple(range(100000))", "for _ in range(200):\n    -1 in xs")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    xs.index(99999)")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    xs.count(7)")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    xs == list(xs)")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    sorted(xs)")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    xs.sort(reverse=True)")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    sum(xs)")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    dict(zip(xs, xs))")]
    [InlineData("xs = list(range(100000))", "for _ in range(200):\n    repr(xs)")]
    [InlineData("xs = ['a'] * 100000", "for _ in range(200):\n    ''.join(xs)")]
    [InlineData("s = 'a' * 1000000", "for _ in range(200):\n    s.find('b')")]
    [InlineData("s = 'a' * 1000000", "for _ in range(200):\n    s.count('b')")]
    [InlineData("s = 'a' * 1000000", "for _ in range(200):\n    'b' in s")]
    [InlineData("s = 'a b ' * 100000", "for _ in range(200):\n    s.split()")]
    [InlineData("x = 7 ** 200000", "for _ in range(200):\n    x * x")]
    [InlineData("x = 7 ** 200000\ny = 3 ** 100000", "for _ in range(200):\n    x // y")]
    [InlineData("", "for _ in range(200):\n    3 ** 1000000")]
    [InlineData("", "for _ in range(200):\n    pow(3, 10**30, 10**500)")]
    [InlineData("import json\ns = json.dumps(list(range(100000)))", "for _ in range(200):\n    json.loads(s)")]
    [InlineData("import json\nxs = list(range(100000))", "for _ in range(200):\n    json.dumps(xs)")]
    public void A_long_built_in_call_counts_towards_MaxTicks(string setup, string loop)
    {
        var error = Stopped(setup + "\n" + loop + "\n", MillionTicks);
        Assert.Contains("(at a built-in operation called from <module> in busy.wf)", error.Message);
    }

    /// <summary>
    /// 10 ** (10 ** 8) is 41 MB, inside the default value limit, but takes minutes: its estimated
    /// time, more than the default MaxTicks, is charged before it starts, so it fails at once.
    /// </summary>
    [Fact]
    public void A_power_that_would_take_minutes_is_refused_before_it_starts()
    {
        var error = Stopped("x = 10 ** (10 ** 8)\n", new InterpreterOptions());
        Assert.Contains("(at a built-in operation called from <module> in busy.wf)", error.Message);
    }

    [Fact]
    public void Short_built_in_calls_are_not_charged()
    {
        // 100,000 rounds of three calls on small values: only the loop's own ticks (a back-edge and
        // three calls a round) count, well under the limit.
        var output = Run.Output("xs = [3, 1, 2]\nn = 0\nfor i in range(100000):\n    n += len(sorted(xs)) + sum(xs) + ('a' in 'abc')\nprint(n)\n", options: MillionTicks);
        Assert.Equal("1000000\n", output);
    }
}
