namespace Workflow.Compiler;

/// <summary>A jump target; [Offset] is -1 until bound. Jumps emitted before binding are patched.</summary>
internal sealed class Label
{
    public int Offset = -1;
    public int Depth = -1;
    /// <summary>[Depth] came from code of unknown depth (see Emitter._depthUnknown): it is a guess too.</summary>
    public bool DepthGuessed;
    public readonly List<int> Patches = new();
}

/// <summary>
/// Appends instructions for one code object and keeps, as it goes, what the VM and pickler need
/// beside them: the line of each instruction, the handler protecting it, the operand-stack depth
/// (for handlers, resume sites and the frame's stack size) and the resume sites.
/// </summary>
internal sealed class Emitter
{
    public readonly List<int> Code = new();
    public readonly List<int> Lines = new();
    public readonly List<int> HandlerOf = new();
    public readonly List<ExceptionHandler> Handlers = new();
    public readonly List<ResumeSite> ResumeSites = new();

    public int Line = 1;
    public int CurrentHandler = -1;
    public int Depth;
    public int MaxDepth;
    /// <summary>False after an unconditional jump, return or raise, until a label is bound.</summary>
    public bool Reachable = true;

    // Set when a label nothing jumps to was bound after unreachable code: the code after it is
    // emitted (as it always was: removing it would renumber the resume sites that follow, which
    // pickles name) but never runs, and its stack depth is a guess. See Emit.
    private bool _depthUnknown;

    private readonly SiteNumbering _siteNumbering = new();

    public int Offset => Code.Count;

    public void Emit(OpCode op, int arg = 0)
    {
        // Code after a jump, return or raise that no label makes reachable again is dropped: its
        // stack depth would be meaningless (e.g. a `return` whose finally body ends in `break`).
        if (!Reachable) return;
        if (arg < 0 || arg > 0xFFFFFF) throw new InvalidOperationException($"instruction argument {arg} out of range for {op}");
        var facts = OpCodeTable.Of(op);
        bool resumesAtItself = facts.IsSafePoint && SiteKinds.ResumesAtItself(facts.Site);
        if (resumesAtItself)
        {
            // The instruction may push a prelude frame and run again on its answer: it resumes at itself.
            var (ordinal, format1Ordinal) = _siteNumbering.Next(facts.Site);
            ResumeSites.Add(new ResumeSite(ResumeSites.Count, facts.Site, ordinal, format1Ordinal, Offset, Offset, Line, Depth));
        }
        Code.Add((int)op | (arg << 8));
        Lines.Add(Line);
        HandlerOf.Add(CurrentHandler);
        Depth += OpCodeTable.StackEffect(op, arg, jump: false);
        if (Depth < 0)
        {
            // Dead code such as `return a and b` after a `return` pops what it never pushed.
            if (!_depthUnknown) throw new InvalidOperationException($"stack underflow after {op} at line {Line}");
            Depth = 0;
        }
        if (Depth > MaxDepth) MaxDepth = Depth;
        if (facts.IsSafePoint && !resumesAtItself)
        {
            // A preempted loop goes on at its head, not after the back-edge.
            int continueAt = op == OpCode.JumpBackward ? arg : Offset;
            var (ordinal, format1Ordinal) = _siteNumbering.Next(facts.Site);
            ResumeSites.Add(new ResumeSite(ResumeSites.Count, facts.Site, ordinal, format1Ordinal, Offset - 1, continueAt, Line, Depth));
        }
        if (!facts.FallsThrough) Reachable = false;
    }

    public void EmitJump(OpCode op, Label target)
    {
        if (!Reachable) return;
        var depthAtJump = Depth + OpCodeTable.StackEffect(op, 0, jump: true);
        if (target.Offset >= 0)
        {
            Emit(op, target.Offset);
        }
        else
        {
            target.Patches.Add(Offset);
            Emit(op, 0);
        }
        Record(target, depthAtJump);
    }

    public void Bind(Label label)
    {
        label.Offset = Offset;
        foreach (var at in label.Patches) Code[at] = (Code[at] & 0xFF) | (label.Offset << 8);
        label.Patches.Clear();
        if (!Reachable)
        {
            _depthUnknown = label.Depth < 0 || label.DepthGuessed;
            if (label.Depth >= 0) Depth = label.Depth;
        }
        Reachable = true;
    }

    /// <summary>Registers a handler entered with the stack cut to [depth]; returns its index.</summary>
    public int AddHandler(Label target, int depth)
    {
        Handlers.Add(new ExceptionHandler(-1, depth));
        _handlerLabels.Add(target);
        Record(target, depth + 1);
        return Handlers.Count - 1;
    }

    /// <summary>Notes the depth a path brings to [target]: the first known one, or a guess until one is known.</summary>
    private void Record(Label target, int depth)
    {
        if (target.Depth >= 0 && (_depthUnknown || !target.DepthGuessed)) return;
        target.Depth = depth;
        target.DepthGuessed = _depthUnknown;
    }

    private readonly List<Label> _handlerLabels = new();

    /// <summary>Resolves handler targets once every label is bound.</summary>
    public ExceptionHandler[] FinishHandlers()
    {
        var result = new ExceptionHandler[Handlers.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var label = _handlerLabels[i];
            if (label.Offset < 0) throw new InvalidOperationException("handler label never bound");
            result[i] = Handlers[i] with { Target = label.Offset };
        }
        return result;
    }
}
