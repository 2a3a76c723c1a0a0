using Workflow.Compiler;
using Diagnostic = Workflow.Syntax.Diagnostic;

namespace Workflow.Tests.Compiler;

/// <summary>
/// A pickle names a resume site by its kind and ordinal among the function's sites of that kind
/// (PickleFormat): safe points of other kinds, and kinds added later, must not move it.
/// </summary>
public class ResumeSiteIdentityTests
{
    private static CodeObject Function(string source)
    {
        var diagnostics = new List<Diagnostic>();
        var module = ModuleCompiler.Compile(source, "t.wf", "__main__", diagnostics);
        Assert.True(module != null, string.Join("\n", diagnostics));
        return module!.Constants.OfType<CodeObject>().Single(c => c.Name == "f");
    }

    [Fact]
    public void A_site_of_another_kind_between_two_calls_moves_neither()
    {
        var plain = Function("def f(a, items):\n    g(a)\n    for x in items:\n        h(x)\n    return k(a)\n");
        // The same function with a subscript (a safe point of another kind) before each call.
        var more = Function("def f(a, items):\n    g(a)\n    a[0]\n    for x in items:\n        x[1]\n        h(x)\n    a[2]\n    return k(a)\n");
        Assert.Equal(3, more.ResumeSites.Count(s => s.Kind == SiteKind.Subscript));
        Assert.Equal(new[] { "call#0", "call#1", "call#2" }, plain.ResumeSites.Where(s => s.Kind == SiteKind.Call).Select(s => s.Name));
        Assert.Equal(new[] { "call#0", "call#1", "call#2" }, more.ResumeSites.Where(s => s.Kind == SiteKind.Call).Select(s => s.Name));
        foreach (var kind in new[] { SiteKind.Iter, SiteKind.ForStep, SiteKind.LoopBack })
            Assert.Equal(plain.ResumeSites.Where(s => s.Kind == kind).Select(s => s.Name), more.ResumeSites.Where(s => s.Kind == kind).Select(s => s.Name));
        // Format 1's ordinals, which counted every site, did move: the reason for format 2.
        Assert.NotEqual(plain.ResumeSiteNamed(SiteKind.Call, 2)!.Format1Ordinal, more.ResumeSiteNamed(SiteKind.Call, 2)!.Format1Ordinal);
    }

    /// <summary>
    /// Numbers every function of the corpus again as the emitter does, as if a few more opcodes
    /// (attribute and item stores, attribute loads, unary operators: the implicit dunder calls that
    /// may become resumable) were safe points of a kind format 1 never had. Every original site must
    /// keep its name and its format-1 ordinal.
    /// </summary>
    [Fact]
    public void A_new_kind_of_safe_point_leaves_the_identities_of_the_other_sites_unchanged()
    {
        const SiteKind TestOnly = (SiteKind)200;
        Assert.DoesNotContain(TestOnly, SiteKinds.All);
        int added = 0, checkedSites = 0;
        var programs = OpCodeTableTests.Sources().Select(s => (string)s[0]).Where(p => !p.StartsWith('('));
        foreach (var program in programs)
        {
            var module = ModuleCompiler.Compile(File.ReadAllText(Path.Combine(Workflow.Tests.Conformance.Corpus.Directory, program)), program, "__main__", new List<Diagnostic>());
            if (module == null) continue;
            var pending = new Stack<CodeObject>(new[] { module });
            while (pending.Count > 0)
            {
                var code = pending.Pop();
                foreach (var inner in code.Constants.OfType<CodeObject>()) pending.Push(inner);
                var numbering = new SiteNumbering();
                for (int i = 0; i < code.Instructions.Length; i++)
                {
                    var op = OpCodeTable.Unfused((OpCode)(code.Instructions[i] & 0xFF));
                    if (op is OpCode.StoreAttr or OpCode.StoreSubscr or OpCode.LoadAttr or OpCode.UnaryNegative or OpCode.UnaryInvert)
                    {
                        var (_, format1) = numbering.Next(TestOnly);
                        Assert.Equal(-1, format1);
                        added++;
                    }
                    if (code.ResumeSiteOf(i) is { } site)
                    {
                        Assert.Equal((site.Ordinal, site.Format1Ordinal), numbering.Next(site.Kind));
                        checkedSites++;
                    }
                }
            }
        }
        Assert.True(added > 1000 && checkedSites > 10000, $"{added} added, {checkedSites} checked");
    }

    [Fact]
    public void A_format_1_ordinal_finds_its_site_among_the_kinds_format_1_had()
    {
        // A loop over a call has a close site too (a kind format 1 did not have): it is skipped.
        var f = Function("def f(n):\n    for i in range(n):\n        g(i)\n    h()\n");
        var format1Sites = f.ResumeSites.Where(s => SiteKinds.InFormat1(s.Kind)).ToArray();
        Assert.Single(f.ResumeSites, s => s.Kind == SiteKind.Close);
        for (int ordinal = 0; ordinal < format1Sites.Length; ordinal++)
            Assert.Same(format1Sites[ordinal], f.ResumeSiteOfFormat1(ordinal));
        Assert.Null(f.ResumeSiteOfFormat1(format1Sites.Length));
    }
}
