namespace Workflow.Compiler;

/// <summary>
/// Backward data-flow analysis of which local slots are live at each resume site: read later on
/// some path before being overwritten. A pickled frame keeps only these (the seed's "reduced frame
/// chain"); a big temporary that is dead at an await never reaches the database. Cells are not
/// analysed: a closure may read them at any time, so they are always kept.
/// </summary>
internal static class Liveness
{
    public static void Annotate(CodeObject code)
    {
        if (code.LocalNames.Length == 0) return;
        var liveIn = LiveIn(code);
        var atEntry = new bool[code.LocalNames.Length];
        Union(atEntry, liveIn, 0, code.LocalNames.Length);
        code.LiveAtEntrySlots = Enumerable.Range(0, atEntry.Length).Where(slot => atEntry[slot]).ToArray();
        code.LiveAtEntry = code.LiveAtEntrySlots.Select(slot => code.LocalNames[slot]).ToArray();
        foreach (var site in code.ResumeSites)
        {
            var live = new bool[code.LocalNames.Length];
            Union(live, liveIn, site.Offset, code.LocalNames.Length);
            // Resuming may raise instead (an await that fails), which lands in the handler. A
            // preempted loop resumes at its head and never raises there.
            int handler = code.HandlerOf[site.Instruction];
            bool backEdge = site.Kind == SiteKind.LoopBack;
            if (handler >= 0 && !backEdge) Union(live, liveIn, code.Handlers[handler].Target, code.LocalNames.Length);
            site.LiveSlots = Enumerable.Range(0, live.Length).Where(slot => live[slot]).ToArray();
            site.LiveLocals = site.LiveSlots.Select(slot => code.LocalNames[slot]).ToArray();
        }
    }

    private static void Union(bool[] into, ulong[][] liveIn, int offset, int slots)
    {
        if (offset >= liveIn.Length) return;
        for (int s = 0; s < slots; s++)
            if ((liveIn[offset][s >> 6] & (1UL << (s & 63))) != 0) into[s] = true;
    }

    /// <summary>For each instruction, the set of slots live on entry to it, as a bit set.</summary>
    private static ulong[][] LiveIn(CodeObject code)
    {
        var ins = code.Instructions;
        int n = ins.Length, words = (code.LocalNames.Length + 63) / 64;
        var liveIn = new ulong[n][];
        for (int i = 0; i < n; i++) liveIn[i] = new ulong[words];
        var scratch = new ulong[words];
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = n - 1; i >= 0; i--)
            {
                Array.Clear(scratch);
                // A fused instruction's sequence is still in place after it: its first member speaks for it.
                var facts = OpCodeTable.Of(OpCodeTable.Unfused((OpCode)(ins[i] & 0xFF)));
                int arg = ins[i] >> 8;
                if (facts.FallsThrough && i + 1 < n) Or(scratch, liveIn[i + 1]);
                if (facts.Jumps) Or(scratch, liveIn[arg]);
                if (code.HandlerOf[i] >= 0) Or(scratch, liveIn[code.Handlers[code.HandlerOf[i]].Target]);
                if (facts.Operand == Operand.Local)
                {
                    if (facts.Access == Access.Write) scratch[arg >> 6] &= ~(1UL << (arg & 63));
                    // `del x` reads x too: it raises UnboundLocalError when x has no value.
                    if (facts.Access is Access.Read or Access.Delete) scratch[arg >> 6] |= 1UL << (arg & 63);
                }
                for (int w = 0; w < words; w++)
                {
                    if (liveIn[i][w] != scratch[w])
                    {
                        liveIn[i][w] = scratch[w];
                        changed = true;
                    }
                }
            }
        }
        return liveIn;
    }

    private static void Or(ulong[] into, ulong[] from)
    {
        for (int w = 0; w < into.Length; w++) into[w] |= from[w];
    }
}
