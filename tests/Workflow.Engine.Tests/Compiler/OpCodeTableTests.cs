using Workflow.Compiler;
using Workflow.Pickling;
using Workflow.Tests.Conformance;
using Diagnostic = Workflow.Syntax.Diagnostic;

namespace Workflow.Tests.Compiler;

/// <summary>
/// OpCodeTable is the one place that says how each opcode behaves; these check it is whole and
/// that what the emitter, liveness, the stack-shape check and the disassembler worked out for
/// every function of the conformance corpus (and the prelude) agrees with a recomputation from it.
/// </summary>
public class OpCodeTableTests
{
    [Fact]
    public void Every_opcode_has_exactly_one_row_in_opcode_order()
    {
        var opcodes = Enum.GetValues<OpCode>();
        Assert.Equal(opcodes.Length, OpCodeTable.All.Count);
        for (int i = 0; i < opcodes.Length; i++) Assert.Equal(opcodes[i], OpCodeTable.All[i].Op);
        Assert.Equal(opcodes.Length, OpCodeTable.All.Select(r => r.Op).Distinct().Count());
    }

    [Fact]
    public void Rows_are_consistent()
    {
        foreach (var row in OpCodeTable.All)
        {
            if (row.WrittenOver is { } first)
            {
                // Fused: never emitted, and a stand-in for its first member wherever an analysis looks.
                Assert.Null(row.Effect);
                Assert.True(row.Covers >= 2, $"{row.Op} covers {row.Covers}");
                Assert.Null(OpCodeTable.Of(first).WrittenOver);
                Assert.Equal(OpCodeTable.Of(first).Site, row.Site);
                Assert.Equal(OpCodeTable.Of(first).Operand, row.Operand);
                continue;
            }
            Assert.Equal(1, row.Covers);
            Assert.NotNull(row.Effect);
            Assert.Equal(row.Jumps, row.JumpEffect != null);
            Assert.Equal(row.Jumps, row.Operand == Operand.Target);
            Assert.True(row.Site == SiteKind.None || SiteKinds.All.Contains(row.Site), $"{row.Op}'s site kind {row.Site} has no pickle name");
            Assert.True(row.Access == Access.None || row.Operand is not (Operand.Number or Operand.Count or Operand.Target or Operand.Flags),
                $"{row.Op} accesses a variable but its operand names none");
        }
        Assert.Equal(SiteKinds.All.Count(), SiteKinds.All.Select(SiteKinds.Name).Distinct().Count());
        Assert.All(SiteKinds.All, kind => Assert.Equal(kind, SiteKinds.Parse(SiteKinds.Name(kind))));
        // Every kind has an opcode, so none is left over from a change.
        Assert.All(SiteKinds.All, kind => Assert.Contains(OpCodeTable.All, r => r.Site == kind));
    }

    public static IEnumerable<object[]> Sources()
    {
        yield return new object[] { "(prelude)" };
        yield return new object[] { "(rare)" };
        foreach (var p in Directory.EnumerateFiles(Corpus.Directory, "*.wf", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
            yield return new object[] { Path.GetRelativePath(Corpus.Directory, p).Replace('\\', '/') };
    }

    /// <summary>Every code object compiled from every corpus program, and the prelude's.</summary>
    private static IEnumerable<(string Program, CodeObject Code)> CorpusCode()
    {
        foreach (var program in Sources().Select(s => (string)s[0]))
        {
            CodeObject? module;
            if (program == "(prelude)")
            {
                module = Workflow.Builtins.Prelude.Module;
            }
            else if (program == "(rare)")
            {
                module = ModuleCompiler.Compile(RareOpcodes, "rare.wf", "__main__", new List<Diagnostic>())!;
            }
            else
            {
                var diagnostics = new List<Diagnostic>();
                module = ModuleCompiler.Compile(File.ReadAllText(Path.Combine(Corpus.Directory, program)), program, "__main__", diagnostics);
                if (module == null) continue; // a program about compile errors
            }
            var pending = new Stack<CodeObject>(new[] { module });
            while (pending.Count > 0)
            {
                var code = pending.Pop();
                yield return (program, code);
                foreach (var inner in code.Constants.OfType<CodeObject>()) pending.Push(inner);
            }
        }
    }

    /// <summary>Opcodes no corpus program makes (the corpus runs; this is only compiled).</summary>
    private const string RareOpcodes = "from json import dumps\ndef outer():\n    v = 1\n    def inner():\n        return v\n    del v\n    return inner\n";

    private static (OpCode Op, int Arg) At(CodeObject code, int i) =>
        (OpCodeTable.Unfused((OpCode)(code.Instructions[i] & 0xFF)), code.Instructions[i] >> 8);

    [Fact]
    public void Resume_sites_are_the_safe_points_of_the_table_numbered_per_kind()
    {
        int functions = 0, sites = 0;
        foreach (var (program, code) in CorpusCode())
        {
            functions++;
            var numbering = new SiteNumbering();
            int next = 0;
            for (int i = 0; i < code.Instructions.Length; i++)
            {
                var (op, _) = At(code, i);
                var site = code.ResumeSiteOf(i);
                var where = $"{program}: {code.QualifiedName} at {i} ({op})";
                Assert.True(OpCodeTable.IsSafePoint(op) == (site != null), where);
                if (site == null) continue;
                Assert.Equal(next++, site.Index);
                Assert.Equal(OpCodeTable.SiteOf(op), site.Kind);
                Assert.Equal(OpCodeTable.SiteOf((OpCode)(code.Instructions[i] & 0xFF)), site.Kind);
                Assert.Equal(numbering.Next(site.Kind), (site.Ordinal, site.Format1Ordinal));
                Assert.Same(site, code.ResumeSiteNamed(site.Kind, site.Ordinal));
                sites++;
            }
            Assert.Equal(next, code.ResumeSites.Length);
        }
        Assert.True(functions > 1000 && sites > 10000, $"{functions} functions, {sites} sites");
        // The checks here and below see every opcode the compiler emits, so every row is tried.
        var seen = CorpusCode().SelectMany(c => c.Code.Instructions.Select(ins => (OpCode)(ins & 0xFF))).ToHashSet();
        Assert.Equal(new[] { OpCode.Nop }, Enum.GetValues<OpCode>().Where(op => !seen.Contains(op)));
    }

    [Fact]
    public void The_emitters_max_stack_is_what_the_table_gives_on_every_path()
    {
        foreach (var (program, code) in CorpusCode())
        {
            var depth = DepthsFromTable(code);
            int max = 0;
            for (int i = 0; i < code.Instructions.Length; i++)
            {
                if (depth[i] < 0) continue;
                var (op, arg) = At(code, i);
                var facts = OpCodeTable.Of(op);
                if (facts.FallsThrough || facts.Flow == Flow.Exit) max = Math.Max(max, depth[i] + OpCodeTable.StackEffect(op, arg, jump: false));
                if (facts.Jumps) max = Math.Max(max, depth[i] + OpCodeTable.StackEffect(op, arg, jump: true));
                max = Math.Max(max, depth[i]);
            }
            // MaxStack keeps one slot more than the deepest stack (CodeGen).
            Assert.True(code.MaxStack == max + 1, $"{program}: {code.QualifiedName} has MaxStack {code.MaxStack}; the table gives {max} + 1");
            // Each resume site's depth is the table's at the instruction where it goes on.
            foreach (var site in code.ResumeSites)
                if (depth[site.Instruction] >= 0)
                    Assert.True(site.StackDepth == depth[site.Offset], $"{program}: {code.QualifiedName} site {site.Name}: {site.StackDepth} vs {depth[site.Offset]}");
        }
    }

    /// <summary>The operand-stack depth before each instruction (-1 where none reaches), from the table alone.</summary>
    private static int[] DepthsFromTable(CodeObject code)
    {
        var depth = Enumerable.Repeat(-1, code.Instructions.Length + 1).ToArray();
        var work = new Stack<int>();
        void Reach(int at, int d, int from)
        {
            if (depth[at] == -1)
            {
                depth[at] = d;
                work.Push(at);
            }
            else if (depth[at] != d)
            {
                throw new InvalidOperationException($"{code.QualifiedName}: depths {depth[at]} and {d} meet at {at} (from {from})");
            }
        }
        Reach(0, 0, -1);
        while (work.Count > 0)
        {
            int i = work.Pop();
            if (i >= code.Instructions.Length) continue;
            if (code.HandlerOf[i] >= 0) Reach(code.Handlers[code.HandlerOf[i]].Target, code.Handlers[code.HandlerOf[i]].StackDepth + 1, i);
            var (op, arg) = At(code, i);
            var facts = OpCodeTable.Of(op);
            if (facts.Jumps) Reach(arg, depth[i] + OpCodeTable.StackEffect(op, arg, jump: true), i);
            if (facts.FallsThrough) Reach(i + 1, depth[i] + OpCodeTable.StackEffect(op, arg, jump: false), i);
        }
        return depth;
    }

    [Fact]
    public void The_stack_shape_check_agrees_with_the_table_at_every_resume_site()
    {
        foreach (var (program, code) in CorpusCode())
        {
            // StackShapes throws where its own step disagrees with the table's stack effects or flow.
            var shapes = StackShapes.Of(code);
            var depth = DepthsFromTable(code);
            for (int i = 0; i < depth.Length; i++)
                Assert.True((shapes[i]?.Length ?? -1) == depth[i], $"{program}: {code.QualifiedName} at {i}: shapes {shapes[i]?.Length} vs table {depth[i]}");
        }
    }

    [Fact]
    public void Liveness_sees_a_read_by_a_fused_instruction()
    {
        // `a` and `b` are read only by `a + b` after the call, which Quickening fuses to LoadFastLoadFast.
        var diagnostics = new List<Diagnostic>();
        var module = ModuleCompiler.Compile("def f(a, b):\n    wait()\n    return a + b\n", "t.wf", "__main__", diagnostics)!;
        var f = module.Constants.OfType<CodeObject>().Single();
        Assert.Contains(f.Instructions, ins => (OpCode)(ins & 0xFF) == OpCode.LoadFastLoadFast);
        // CodeGen runs liveness before Quickening; run it again over the fused code, which must change nothing.
        Liveness.Annotate(f);
        Assert.Equal(new[] { "a", "b" }, f.ResumeSiteNamed(SiteKind.Call, 0)!.LiveLocals);
    }

    [Fact]
    public void The_disassembler_shows_every_resume_site_by_its_name_with_fused_ones()
    {
        foreach (var program in new[] { "(prelude)" }.Concat(Sources().Select(s => (string)s[0]).Where(p => p.Contains("python/")).Take(60)))
        {
            var module = program == "(prelude)" ? Workflow.Builtins.Prelude.Module
                : ModuleCompiler.Compile(File.ReadAllText(Path.Combine(Corpus.Directory, program)), program, "__main__", new List<Diagnostic>());
            if (module == null) continue;
            var text = Disassembler.Disassemble(module);
            var all = new List<CodeObject>();
            var pending = new Stack<CodeObject>(new[] { module });
            while (pending.Count > 0)
            {
                var code = pending.Pop();
                all.Add(code);
                foreach (var inner in code.Constants.OfType<CodeObject>()) pending.Push(inner);
            }
            var lines = text.Split('\n');
            Assert.Equal(all.Sum(c => c.ResumeSites.Length), lines.Count(l => l.TrimStart().StartsWith("resume site ")));
        }
        var compare = Disassembler.Disassemble(ModuleCompiler.Compile("def f(a, b):\n    if a < b:\n        return 1\n    return 2\n", "t.wf", "__main__", new List<Diagnostic>())!);
        var fused = compare.Split('\n').SkipWhile(l => !l.Contains("CompareJumpIfFalse")).Take(2).ToArray();
        Assert.Matches(@"CompareJumpIfFalse\s+2 \(<\) to \d+", fused[0]);
        Assert.Matches(@"^\s+resume site compare#0 \(stack 1\)", fused[1]);
    }
}
