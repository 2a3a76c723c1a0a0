using Workflow.Runtime;

namespace Workflow.Tests.Runtime;

/// <summary>
/// Script data that makes C# code recurse (an exception whose args hold itself, iterators nested
/// 200,000 deep, a 50,000-long chain of `raise … from`) must end in a RecursionError or a complete
/// traceback, never a stack overflow that kills the worker. Found by the pickle fuzzer.
/// </summary>
public class NativeRecursionTests
{
    [Fact]
    public void Str_of_an_exception_that_holds_itself_raises_RecursionError()
    {
        var output = Run.Output("e = ValueError('x')\ne.args = (e,)\ntry:\n    str(e)\nexcept RecursionError:\n    print('recursion')\n");
        Assert.Equal("recursion\n", output);
    }

    [Fact]
    public void An_uncaught_exception_whose_str_fails_prints_as_CPython_does()
    {
        var (result, _) = Run.Program("e = ValueError('x')\ne.args = (e,)\nraise e\n");
        Assert.Equal(ProgramStatus.Failed, result.Status);
        Assert.EndsWith("ValueError: <exception str() failed>\n", result.ErrorText);
    }

    [Fact]
    public void Iterators_nested_200000_deep_raise_RecursionError()
    {
        var output = Run.Output("it = iter([1])\nfor _ in range(200000):\n    it = enumerate(it)\ntry:\n    next(it)\nexcept RecursionError:\n    print('recursion')\n");
        Assert.Equal("recursion\n", output);
    }

    [Fact]
    public void A_long_chain_of_causes_is_printed_whole()
    {
        var (result, _) = Run.Program("err = None\nfor i in range(50000):\n    try:\n        raise ValueError(i) from err\n    except ValueError as caught:\n        err = caught\nraise err\n");
        Assert.Equal(ProgramStatus.Failed, result.Status);
        var text = result.ErrorText!;
        Assert.StartsWith("Traceback (most recent call last):", text);
        Assert.Equal(50000, text.Split("\nValueError: ").Length - 1 + (text.StartsWith("ValueError: ") ? 1 : 0));
        Assert.Contains("ValueError: 0\n\nThe above exception was the direct cause of the following exception:", text);
        Assert.EndsWith("ValueError: 49999\n", text);
    }
}
