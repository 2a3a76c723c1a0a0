using Workflow.Runtime;

namespace Workflow.Tests.Runtime;

public class StacklessTests
{
    /// <summary>
    /// Runs on a thread with a 256 KB stack: if any script call recursed in C#, 50,000 nested calls
    /// would need megabytes of native stack and crash. CPython itself stops at 1,000.
    /// </summary>
    private static string OnSmallStack(string source)
    {
        string? output = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { output = Run.Output(source); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        if (failure != null) throw new Xunit.Sdk.XunitException(failure.ToString());
        return output!;
    }

    [Fact]
    public void Recursion_50000_deep_completes_without_using_the_native_stack()
    {
        var output = OnSmallStack("""
            def depth(n):
                if n == 0:
                    return 0
                return depth(n - 1) + 1
            print(depth(50000))
            """);
        Assert.Equal("50000\n", output);
    }

    [Fact]
    public void Deep_recursion_through_methods_constructors_and_generators_stays_off_the_native_stack()
    {
        var output = OnSmallStack("""
            class Node:
                def __init__(self, n):
                    self.next = Node(n - 1) if n > 0 else None
                    self.n = n
                def length(self):
                    return 1 if self.next is None else 1 + self.next.length()
            print(Node(20000).length())

            def countdown(n):
                if n > 0:
                    yield n
                    yield from countdown(n - 1)
            print(sum(1 for _ in countdown(3000)))

            def kw(n, step=1, *rest, **extra):
                return 0 if n <= 0 else 1 + kw(n - step, step=step)
            print(kw(30000))
            """);
        Assert.Equal("20001\n3000\n30000\n", output);
    }

    [Fact]
    public void Recursion_past_the_configured_depth_raises_RecursionError_that_the_program_can_catch()
    {
        var output = Run.Output("""
            def forever(n):
                return forever(n + 1)
            try:
                forever(0)
            except RecursionError as e:
                print("caught:", e)
            """, options: new InterpreterOptions { MaxDepth = 1000 });
        Assert.Equal("caught: maximum recursion depth exceeded\n", output);
    }

    [Fact]
    public void A_busy_tasklet_is_preempted_so_the_others_run()
    {
        // Without preemption the main tasklet would spin forever: only the spawned one sets the flag.
        var output = Run.Output("""
            state = {"done": False}
            def setter():
                print("setter ran")
                state["done"] = True
            spawn(setter)
            spins = 0
            while not state["done"]:
                spins += 1
            print("main saw the flag after spinning:", spins > 0)
            """, options: new InterpreterOptions { PreemptionTicks = 100 });
        Assert.Equal("setter ran\nmain saw the flag after spinning: True\n", output);
    }

    [Fact]
    public void A_runaway_program_is_stopped_with_a_clear_error()
    {
        var program = WorkflowProgram.Compile("n = 0\nwhile True:\n    n += 1\n", "spin.wf");
        var error = Assert.Throws<ExecutionLimitExceeded>(() =>
            program.Run(null, new StringWriter(), new InterpreterOptions { MaxTicks = 1_000_000 }));
        Assert.Contains("execution limit exceeded", error.Message);
        Assert.Contains("spin.wf:2", error.Message);
    }

    [Fact]
    public void Blocking_inside_builtin_callbacks_works_because_those_builtins_are_script_frames()
    {
        var output = Run.Output("""
            ch = channel()
            def feed():
                for v in [3, 1, 2, 10, 20]:
                    ch.send(v)
            spawn(feed)
            print(sorted(["a", "b", "c"], key=lambda s: ch.receive()))
            print(list(map(lambda x: x + ch.receive(), [100, 200])))
            """);
        Assert.Equal("['b', 'c', 'a']\n[110, 220]\n", output);
    }

    [Fact]
    public void Blocking_inside_a_dunder_called_by_print_works_because_print_hands_it_to_the_prelude()
    {
        // __str__ called by print() runs as a frame of the prelude's _print: it may block.
        var output = Run.Output("""
            ch = channel()
            def feed():
                ch.send(42)
            spawn(feed)
            class Lazy:
                def __str__(self):
                    return str(ch.receive())
            print("got", Lazy())
            """);
        Assert.Equal("got 42\n", output);
    }
}
