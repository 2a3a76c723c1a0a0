namespace Workflow.Tests.Compiler;

/// <summary>
/// Code after a `return`, `raise` or `break` never runs, but CPython compiles it, and so must
/// we: an `and`, `or` or conditional expression in it used to bring the code after it back with a
/// stack depth nothing had set, and the compiler failed with "stack underflow" (found by
/// CompilerFuzzTests, doubling a line of a corpus program).
/// </summary>
public class UnreachableCodeTests
{
    [Fact]
    public void Expressions_with_jumps_after_a_return_compile_and_never_run()
    {
        var output = Run.Output("""
            def f(n):
                return n > 1 and n < 10
                return n > 1 and all(n % d for d in range(2, n))
            def g(n):
                raise ValueError(n)
                return n or -n
            def h(items):
                for i in items:
                    break
                    print(i if i else -i)
                return len(items)
            try:
                g(1)
            except ValueError as e:
                print('raised', e)
            print(f(5), f(20), h([1, 2]))
            """);
        Assert.Equal("raised 1\nTrue False 2\n", output);
    }

    /// <summary>
    /// A try statement in a loop after a `return`: its handler's depth was taken from the dead
    /// loop's guessed depth and then trusted, and a `return` in the handler underflowed (found by
    /// CompilerFuzzTests swapping two lines of retry_simulation.wf).
    /// </summary>
    [Fact]
    public void A_try_in_a_loop_after_a_return_compiles_and_never_runs()
    {
        var output = Run.Output("""
            def f(n):
                return n * 2
                for attempt in range(n):
                    try:
                        return attempt
                    except ValueError as e:
                        return -1
                return 0
            print(f(3))
            """);
        Assert.Equal("6\n", output);
    }
}
