namespace Workflow.Tests.Runtime;

/// <summary>Tracebacks collapse a line repeated more than three times in a row, as CPython's traceback module does.</summary>
public class TracebackRepeatTests
{
    [Fact]
    public void Unbounded_recursion_gives_a_short_traceback_counting_the_repeats()
    {
        var (result, _) = Run.Program("def f(n):\n    return f(n + 1)\n\ndef main(input):\n    return f(0)\n",
            options: new Workflow.Runtime.InterpreterOptions { MaxDepth = 1000 });
        var text = result.ErrorText!;
        Assert.True(text.Length < 2000, $"{text.Length} characters:\n{text[..Math.Min(2000, text.Length)]}");
        var lines = text.Split('\n');
        Assert.Equal(3, lines.Count(l => l == "  File \"test.wf\", line 2, in f"));
        Assert.Contains(lines, l => l.StartsWith("  [Previous line repeated ") && l.EndsWith(" more times]"));
        Assert.StartsWith("RecursionError: maximum recursion depth exceeded", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public void Four_of_the_same_line_show_three_and_one_more_time()
    {
        var (result, _) = Run.Program("def f(n):\n    if n == 0:\n        raise ValueError('bottom')\n    return f(n - 1)\n\ndef main(input):\n    return f(4)\n");
        Assert.Contains("  [Previous line repeated 1 more time]\n", result.ErrorText);
        Assert.Equal(3, result.ErrorText!.Split('\n').Count(l => l == "  File \"test.wf\", line 4, in f"));
    }
}
