using Workflow.Values;

namespace Workflow.Tests.Values;

/// <summary>
/// The C# walks of nested script values (repr, str, ==, ordering, hash, isinstance, json, chains
/// of iterators) stop at ValueNesting.MaxDepth levels with the RecursionError CPython raises, which
/// the script can catch. Each runs on a 512 KB thread: a walk whose frames grew so that 1000 levels
/// no longer fit would hit the stack check's 128 KB reserve first and fail at the limit here, and a
/// walk without a limit would overflow the stack and kill the test run.
/// </summary>
public class ValueNestingTests
{
    private const int HalfMegabyte = 512 * 1024;

    /// <summary>What [source] prints, run on a 512 KB stack.</summary>
    private static string Output(string source) => SmallStack.Run(HalfMegabyte, () => Run.Output(source));

    /// <summary>
    /// A script that builds `x`, [levels] containers or objects nested in one another: [start] the
    /// innermost, [build] each around the one before (which it names `x`), then prints what [walk]
    /// gives or the RecursionError it raises.
    /// </summary>
    private static string Walk(string start, string build, int levels, string walk) => Output($$"""
        x = {{start}}
        for _ in range({{levels - 1}}):
            x = {{build}}
        try:
            result = {{walk}}
            print('ok', len(str(result)) if type(result) is str else result)
        except RecursionError as e:
            print('RecursionError:', e)
        """);

    [Theory]
    [InlineData("[]", "[x]", "repr(x)", "while getting the repr of an object")]
    [InlineData("()", "(x,)", "repr(x)", "while getting the repr of an object")]
    [InlineData("{}", "{'k': x}", "repr(x)", "while getting the repr of an object")]
    [InlineData("[]", "[x]", "str(x)", "while getting the repr of an object")]
    [InlineData("[]", "[x]", "f'{x}'", "while getting the repr of an object")]
    [InlineData("ValueError(0)", "ValueError(x)", "repr(x)", "while getting the repr of an object")]
    [InlineData("ValueError(0)", "ValueError(x)", "str(x)", "while getting the str of an object")]
    [InlineData("()", "(x,)", "hash(x)", "while hashing")]
    [InlineData("(int,)", "(x,)", "isinstance(1, x)", "in __instancecheck__")]
    [InlineData("(int,)", "(x,)", "issubclass(bool, x)", "in __subclasscheck__")]
    [InlineData("iter([1])", "enumerate(x)", "next(x)", "while advancing an iterator")]
    public void A_walk_goes_1000_levels_deep_and_raises_RecursionError_past_them(string start, string build, string walk, string what)
    {
        Assert.StartsWith("ok ", Walk(start, build, ValueNesting.MaxDepth, walk));
        Assert.Equal($"RecursionError: maximum recursion depth exceeded {what}\n", Walk(start, build, ValueNesting.MaxDepth + 1, walk));
        Assert.Equal($"RecursionError: maximum recursion depth exceeded {what}\n", Walk(start, build, 100_000, walk));
    }

    /// <summary>== and &lt; compare two structures side by side: both nested [levels] deep.</summary>
    [Theory]
    [InlineData("[]", "[x]", "x == y")]
    [InlineData("(0,)", "(x,)", "x == y")]
    [InlineData("{}", "{'k': x}", "x == y")]
    [InlineData("[]", "[x]", "x < y")]
    [InlineData("[]", "[x]", "x in [y]")]
    [InlineData("[]", "[x]", "sorted([x, y]) and True")]
    public void Comparisons_go_1000_levels_deep_and_raise_RecursionError_past_them(string start, string build, string compare)
    {
        string Compare(int levels) => Output($$"""
            x = {{start}}
            y = {{start}}
            for _ in range({{levels - 1}}):
                x = {{build}}
                y = {{build.Replace("x", "y")}}
            try:
                print('ok', {{compare}})
            except RecursionError as e:
                print('RecursionError:', e)
            """);
        Assert.Matches("^ok (True|False)\n$", Compare(ValueNesting.MaxDepth));
        Assert.Equal("RecursionError: maximum recursion depth exceeded in comparison\n", Compare(ValueNesting.MaxDepth + 1));
        Assert.Equal("RecursionError: maximum recursion depth exceeded in comparison\n", Compare(100_000));
    }

    /// <summary>json keeps CPython's own count (the limit less the script's frames), below ValueNesting.MaxDepth.</summary>
    [Fact]
    public void Json_dumps_and_loads_stop_deep_data_with_RecursionError_on_a_small_stack()
    {
        var output = Output("""
            import json
            def nest(n):
                x = []
                for _ in range(n - 1):
                    x = [x]
                return x
            for n in [990, 1000, 100000]:
                for name, f in [('dumps', lambda: json.dumps(nest(n))), ('loads', lambda: json.loads('[' * n + ']' * n))]:
                    try:
                        print(name, n, len(str(f())))
                    except RecursionError as e:
                        print(name, n, e)
            """);
        Assert.Equal("""
            dumps 990 1980
            loads 990 1980
            dumps 1000 maximum recursion depth exceeded while encoding a JSON object
            loads 1000 maximum recursion depth exceeded while decoding a JSON array from a unicode string
            dumps 100000 maximum recursion depth exceeded while encoding a JSON object
            loads 100000 maximum recursion depth exceeded while decoding a JSON array from a unicode string

            """.Replace("\r", ""), output);
    }

    /// <summary>
    /// CPython 3.11 refuses a tuple inside the tuple of an except clause before it matches anything;
    /// so nothing recurses into a hundred thousand of them.
    /// </summary>
    [Fact]
    public void An_except_clause_refuses_a_tuple_inside_its_tuple_as_CPython_does()
    {
        var output = Output("""
            t = ValueError
            for _ in range(100000):
                t = (t,)
            for types in [t, (ValueError, (KeyError,)), (KeyError, ValueError)]:
                try:
                    try:
                        raise ValueError('x')
                    except types:
                        print('caught')
                except TypeError as e:
                    print(e)
            """);
        Assert.Equal("""
            catching classes that do not inherit from BaseException is not allowed
            catching classes that do not inherit from BaseException is not allowed
            caught

            """.Replace("\r", ""), output);
    }
}
