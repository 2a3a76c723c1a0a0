namespace Workflow.Compiler;

/// <summary>A jump target; [Offset] is -1 until bound. Jumps emitted before binding are patched.</summary>
internal sealed class Label
{
    public int Offset = -1;
    public int Depth = -1;
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

    public int Offset => Code.Count;

    public void Emit(OpCode op, int arg = 0)
    {
        // Code after a jump, return or raise that no label makes reachable again is dropped: its
        // stack depth would be meaningless (e.g. a `return` whose finally body ends in `break`).
        if (!Reachable) return;
        if (arg < 0 || arg > 0xFFFFFF) throw new InvalidOperationException($"instruction argument {arg} out of range for {op}");
        if (IsRerunSite(op))
        {
            // The instruction may push a prelude frame and run again on its result: it resumes at itself.
            _laterSites.Add(new ResumeSite(-1, Offset, Offset, Line, Depth));
        }
        Code.Add((int)op | (arg << 8));
        Lines.Add(Line);
        HandlerOf.Add(CurrentHandler);
        Depth += StackEffect(op, arg, jump: false);
        if (Depth < 0)
        {
            // Dead code such as `return a and b` after a `return` pops what it never pushed.
            if (!_depthUnknown) throw new InvalidOperationException($"stack underflow after {op} at line {Line}");
            Depth = 0;
        }
        if (Depth > MaxDepth) MaxDepth = Depth;
        if (IsSafePoint(op))
        {
            // A preempted loop goes on at its head, not after the back-edge.
            int continueAt = op == OpCode.JumpBackward ? arg : Offset;
            if (IsLaterSafePoint(op)) _laterSites.Add(new ResumeSite(-1, Offset - 1, continueAt, Line, Depth));
            else ResumeSites.Add(new ResumeSite(ResumeSites.Count, Offset - 1, continueAt, Line, Depth));
        }
        if (op is OpCode.Jump or OpCode.JumpBackward or OpCode.ReturnValue or OpCode.RaiseVarargs or OpCode.Reraise or OpCode.RaiseAssertion)
            Reachable = false;
    }

    public void EmitJump(OpCode op, Label target)
    {
        if (!Reachable) return;
        var depthAtJump = Depth + StackEffect(op, 0, jump: true);
        if (target.Offset >= 0)
        {
            Emit(op, target.Offset);
        }
        else
        {
            target.Patches.Add(Offset);
            Emit(op, 0);
        }
        if (target.Depth < 0) target.Depth = depthAtJump;
    }

    public void Bind(Label label)
    {
        label.Offset = Offset;
        foreach (var at in label.Patches) Code[at] = (Code[at] & 0xFF) | (label.Offset << 8);
        label.Patches.Clear();
        if (!Reachable)
        {
            _depthUnknown = label.Depth < 0;
            if (label.Depth >= 0) Depth = label.Depth;
        }
        Reachable = true;
    }

    /// <summary>Registers a handler entered with the stack cut to [depth]; returns its index.</summary>
    public int AddHandler(Label target, int depth)
    {
        Handlers.Add(new ExceptionHandler(-1, depth));
        _handlerLabels.Add(target);
        if (target.Depth < 0) target.Depth = depth + 1;
        return Handlers.Count - 1;
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

    public static bool IsSafePoint(OpCode op) => op is OpCode.Call or OpCode.CallKw or OpCode.CallEx or OpCode.Await
        or OpCode.YieldValue or OpCode.JumpBackward or OpCode.ForIter or OpCode.ForIterYieldFrom or OpCode.BuildClass
        or OpCode.ImportName or OpCode.CallMethod or OpCode.Materialize or OpCode.ContainsOp or OpCode.GetIter
        // Operators and subscripts on instances of user classes call their dunder methods as frames.
        or OpCode.BinaryOp or OpCode.CompareOp or OpCode.BinarySubscr
        or OpCode.UnaryNegative or OpCode.UnaryPositive or OpCode.UnaryInvert or OpCode.UnaryNot or OpCode.FormatValue or OpCode.BuildDict;

    /// <summary>
    /// Instructions that push no single result but may still need a user method (a truth test, an
    /// item assignment): they push a prelude frame and run again on what it returns,
    /// so their resume site is the instruction itself, with the stack it had.
    /// </summary>
    /// <summary>Safe points added after pickles were first written; their sites are numbered after the others.</summary>
    private static bool IsLaterSafePoint(OpCode op) => op is OpCode.UnaryNegative or OpCode.UnaryPositive or OpCode.UnaryInvert
        or OpCode.UnaryNot or OpCode.FormatValue or OpCode.BuildDict;

    /// <summary>
    /// The sites of the safe points that user methods run from C# added (IsLaterSafePoint, IsRerunSite):
    /// numbered after all the others, so the site numbers in pickles written before them still name
    /// the same places.
    /// </summary>
    private readonly List<ResumeSite> _laterSites = new();

    /// <summary>Every resume site, numbered: the original kinds first, then the later ones.</summary>
    public ResumeSite[] AllResumeSites() =>
        ResumeSites.Concat(_laterSites.Select((site, i) => site with { Id = ResumeSites.Count + i })).ToArray();

    public static bool IsRerunSite(OpCode op) => op is OpCode.PopJumpIfFalse or OpCode.PopJumpIfTrue
        or OpCode.JumpIfFalseOrPop or OpCode.JumpIfTrueOrPop or OpCode.StoreSubscr or OpCode.DeleteSubscr or OpCode.DictSet;

    /// <summary>The change in operand-stack depth an instruction makes, on its fall-through path or, with [jump], when it jumps.</summary>
    public static int StackEffect(OpCode op, int arg, bool jump) => op switch
    {
        OpCode.Nop => 0,
        OpCode.LoadConst or OpCode.LoadFast or OpCode.LoadDeref or OpCode.LoadClosure or OpCode.LoadGlobal or OpCode.LoadName => 1,
        OpCode.StoreFast or OpCode.StoreDeref or OpCode.StoreGlobal or OpCode.StoreName => -1,
        OpCode.DeleteFast or OpCode.DeleteDeref or OpCode.DeleteGlobal or OpCode.DeleteName => 0,
        OpCode.PopTop => -1,
        OpCode.Copy => 1,
        OpCode.Swap => 0,
        OpCode.BinaryOp => -1,
        OpCode.UnaryNegative or OpCode.UnaryPositive or OpCode.UnaryNot or OpCode.UnaryInvert => 0,
        OpCode.CompareOp or OpCode.IsOp or OpCode.ContainsOp => -1,
        OpCode.Jump or OpCode.JumpBackward => 0,
        OpCode.PopJumpIfFalse or OpCode.PopJumpIfTrue => -1,
        OpCode.JumpIfFalseOrPop or OpCode.JumpIfTrueOrPop => jump ? 0 : -1,
        OpCode.GetIter => 0,
        OpCode.ForIter => jump ? -1 : 1,
        OpCode.ForIterYieldFrom => jump ? 0 : 1,
        OpCode.BuildList or OpCode.BuildTuple or OpCode.BuildString or OpCode.BuildSlice => 1 - arg,
        OpCode.BuildDict => 1 - 2 * arg,
        OpCode.ListExtend or OpCode.DictMerge or OpCode.ListAppend => -1,
        OpCode.ListToTuple => 0,
        OpCode.DictSet => -2,
        OpCode.FormatValue => (arg & 4) != 0 ? -1 : 0,
        OpCode.UnpackSequence => arg - 1,
        OpCode.UnpackEx => (arg & 0xFF) + (arg >> 8),
        OpCode.LoadAttr => 0,
        OpCode.StoreAttr => -2,
        OpCode.DeleteAttr => -1,
        OpCode.BinarySubscr => -1,
        OpCode.StoreSubscr => -3,
        OpCode.DeleteSubscr => -2,
        OpCode.Call => -arg,
        OpCode.CallKw => -arg - 1,
        OpCode.CallEx => -1 - arg,
        OpCode.MakeFunction => -System.Numerics.BitOperations.PopCount((uint)(arg & 7)),
        OpCode.BuildClass => -2,
        OpCode.ReturnValue => -1,
        OpCode.YieldValue or OpCode.Await => 0,
        OpCode.RaiseVarargs => -arg,
        OpCode.Reraise => -1,
        OpCode.PushExcInfo => 1,
        OpCode.PopExcept => -1,
        OpCode.CheckExcMatch => 0,
        OpCode.ImportName => 1,
        OpCode.ImportFrom => 1,
        OpCode.RaiseAssertion => -arg,
        OpCode.LoadMethod => 1,
        OpCode.Materialize => 0,
        OpCode.LoadFastConstBinary or OpCode.LoadFastLoadFast => throw new InvalidOperationException("fused instructions are never emitted"),
        OpCode.CompareJumpIfFalse => throw new InvalidOperationException("fused instructions are never emitted"),
        OpCode.CallMethod => -arg - 1,
        _ => throw new InvalidOperationException($"no stack effect for {op}"),
    };
}
