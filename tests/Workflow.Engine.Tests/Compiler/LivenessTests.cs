using Workflow.Compiler;
using Diagnostic = Workflow.Syntax.Diagnostic;

namespace Workflow.Tests.Compiler;

public class LivenessTests
{
    private static CodeObject Function(string source, string name)
    {
        var diagnostics = new List<Diagnostic>();
        var module = ModuleCompiler.Compile(source, "t.wf", "__main__", diagnostics);
        Assert.True(module != null, string.Join("\n", diagnostics));
        return module!.Constants.OfType<CodeObject>().Single(c => c.Name == name);
    }

    private static string[] LiveAfterCallTo(CodeObject code, string callee)
    {
        // The resume site of the call instruction whose callable was loaded as a global named [callee].
        var global = Array.IndexOf(code.Names, callee);
        for (int i = 0; i < code.Instructions.Length; i++)
        {
            if ((OpCode)(code.Instructions[i] & 0xFF) != OpCode.LoadGlobal || code.Instructions[i] >> 8 != global) continue;
            for (int j = i + 1; j < code.Instructions.Length; j++)
                if ((OpCode)(code.Instructions[j] & 0xFF) is OpCode.Call)
                    return code.ResumeSiteOf(j)!.LiveLocals;
        }
        throw new InvalidOperationException($"no call to {callee}");
    }

    [Fact]
    public void A_large_value_read_only_before_a_call_is_dead_at_it()
    {
        var f = Function("def f(order):\n    report = [0] * 100000\n    total = sum(report)\n    wait(order)\n    return total\n", "f");
        Assert.Equal(new[] { "total" }, LiveAfterCallTo(f, "wait"));
    }

    [Fact]
    public void Variables_read_in_a_loop_stay_live_across_the_back_edge()
    {
        var f = Function("def f(items):\n    seen = 0\n    for x in items:\n        wait(x)\n        seen += 1\n    return seen\n", "f");
        Assert.Equal(new[] { "seen" }, LiveAfterCallTo(f, "wait"));
    }

    [Fact]
    public void A_variable_read_only_in_an_except_handler_is_live_at_a_call_it_protects()
    {
        var f = Function("def f(a):\n    fallback = a * 2\n    try:\n        wait(a)\n    except ValueError:\n        return fallback\n    return 0\n", "f");
        Assert.Equal(new[] { "fallback" }, LiveAfterCallTo(f, "wait"));
    }

    [Fact]
    public void Every_safe_point_has_a_resume_site_named_by_its_kind_and_ordinal()
    {
        var f = Function("def f(n):\n    for i in range(n):\n        g(i)\n    h()\n", "f");
        Assert.Equal(Enumerable.Range(0, f.ResumeSites.Length), f.ResumeSites.Select(s => s.Index));
        // The loop over a call closes the generator the call may make when the loop ends early: close#0.
        Assert.Equal(new[] { "call#0", "iter#0", "for#0", "call#1", "loop#0", "close#0", "call#2" }, f.ResumeSites.Select(s => s.Name));
        Assert.All(f.ResumeSites, s => Assert.True(OpCodeTable.IsSafePoint((OpCode)(f.Instructions[s.Instruction] & 0xFF))));
    }

    [Fact]
    public void A_variable_deleted_later_is_live_because_del_reads_it()
    {
        // Dropping it from a pickle would make the later `del` raise UnboundLocalError after resuming.
        var f = Function("def f(a):\n    tmp = a + 1\n    wait(a)\n    del tmp\n    return a\n", "f");
        Assert.Equal(new[] { "a", "tmp" }, LiveAfterCallTo(f, "wait"));
    }

    [Fact]
    public void A_loop_back_edge_resumes_at_the_loop_head_with_what_the_head_reads()
    {
        var f = Function("def f(n):\n    i = 0\n    big = [0] * n\n    while i < n:\n        i += 1\n    return i\n", "f");
        var backEdge = f.ResumeSites.Single(s => (OpCode)(f.Instructions[s.Instruction] & 0xFF) == OpCode.JumpBackward);
        Assert.True(backEdge.Offset < backEdge.Instruction, "a back-edge goes on at the loop head, before it");
        Assert.Equal(new[] { "n", "i" }, backEdge.LiveLocals);
    }

    [Fact]
    public void At_entry_only_parameters_that_are_read_are_live()
    {
        var f = Function("def f(a, unused, b):\n    wait(a)\n    return b\n", "f");
        Assert.Equal(new[] { "a", "b" }, f.LiveAtEntry);
    }
}
