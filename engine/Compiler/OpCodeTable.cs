namespace Workflow.Compiler;

/// <summary>What an instruction's 24-bit argument is.</summary>
internal enum Operand : byte
{
    /// <summary>Unused (0), or a small number the opcode's comment explains (Copy's depth, a raise's kind).</summary>
    Number,
    /// <summary>An index into Constants.</summary>
    Constant,
    /// <summary>A local slot.</summary>
    Local,
    /// <summary>A cell: the cell variables first, then the free variables.</summary>
    Cell,
    /// <summary>An index into Names: a global, or a class body's name.</summary>
    Global,
    /// <summary>An index into Names: an attribute or method.</summary>
    Attribute,
    /// <summary>An index into Names: a module (ImportName) or a name in it (ImportFrom).</summary>
    Module,
    /// <summary>A number of operand-stack items.</summary>
    Count,
    /// <summary>A jump target's offset.</summary>
    Target,
    /// <summary>A Syntax.BinaryOperator in bits 0-7; bit 8 asks for the in-place form.</summary>
    BinaryOperator,
    /// <summary>A rich comparison: 0 ==, 1 !=, 2 &lt;, 3 &lt;=, 4 &gt;, 5 &gt;=.</summary>
    Comparison,
    /// <summary>Bits whose meaning the opcode's comment gives.</summary>
    Flags,
    /// <summary>UnpackEx's item counts: before | after &lt;&lt; 8.</summary>
    Counts,
}

/// <summary>What an instruction does to the variable (local, cell, global, attribute) its operand names.</summary>
internal enum Access : byte { None, Read, Write, Delete }

/// <summary>Where control goes after an instruction.</summary>
internal enum Flow : byte
{
    /// <summary>On to the next instruction.</summary>
    Next,
    /// <summary>To the jump target or on to the next instruction.</summary>
    Branch,
    /// <summary>Always to the jump target.</summary>
    Jump,
    /// <summary>Out of the function (return, raise).</summary>
    Exit,
}

/// <summary>
/// The facts of one opcode. [Effect] is the operand-stack effect on the path that does not jump
/// (for a Jump, the jump's; for an Exit, what it pops before leaving), [JumpEffect] the effect when
/// it jumps; both take the argument. A fused opcode (see Quickening) is never emitted: it is
/// written over the first instruction of a sequence whose members stay in place, so [WrittenOver]
/// is that first member's opcode, whose facts the analyses use, and [Covers] the sequence's length.
/// </summary>
internal sealed record OpFacts(OpCode Op, Operand Operand, Access Access, Flow Flow, SiteKind Site,
    Func<int, int>? Effect, Func<int, int>? JumpEffect = null, OpCode? WrittenOver = null, int Covers = 1)
{
    public bool IsSafePoint => Site != SiteKind.None;
    public bool Jumps => Flow is Flow.Branch or Flow.Jump;
    public bool FallsThrough => Flow is Flow.Next or Flow.Branch;
}

/// <summary>
/// One line per opcode: everything the compiler, liveness, the disassembler and the pickler's
/// stack check need to know about an instruction, in one place (after Wren's wren_opcodes.h).
/// OpCode.cs says what each opcode does; this table says how it behaves to an analysis. A safe
/// point's row names its resume-site kind, which is part of the pickle format (ResumeSiteKinds).
/// </summary>
internal static class OpCodeTable
{
    private static readonly Func<int, int> None = _ => 0;
    private static readonly Func<int, int> Push = _ => 1;
    private static readonly Func<int, int> Pop = _ => -1;

    // A safe point's Effect counts the result it pushes when it resumes.
    private static readonly OpFacts[] Rows =
    {
        //  opcode                       operand                  access         flow         resume site            stack effect (not jumping)        when jumping
        new(OpCode.Nop,                  Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         None),
        new(OpCode.LoadConst,            Operand.Constant,        Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.LoadFast,             Operand.Local,           Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.StoreFast,            Operand.Local,           Access.Write,  Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.DeleteFast,           Operand.Local,           Access.Delete, Flow.Next,   SiteKind.None,         None),
        new(OpCode.LoadDeref,            Operand.Cell,            Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.StoreDeref,           Operand.Cell,            Access.Write,  Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.DeleteDeref,          Operand.Cell,            Access.Delete, Flow.Next,   SiteKind.None,         None),
        new(OpCode.LoadClosure,          Operand.Cell,            Access.None,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.LoadGlobal,           Operand.Global,          Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.StoreGlobal,          Operand.Global,          Access.Write,  Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.DeleteGlobal,         Operand.Global,          Access.Delete, Flow.Next,   SiteKind.None,         None),
        new(OpCode.LoadName,             Operand.Global,          Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.StoreName,            Operand.Global,          Access.Write,  Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.DeleteName,           Operand.Global,          Access.Delete, Flow.Next,   SiteKind.None,         None),
        new(OpCode.PopTop,               Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.Copy,                 Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.Swap,                 Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         None),
        new(OpCode.BinaryOp,             Operand.BinaryOperator,  Access.None,   Flow.Next,   SiteKind.Binary,       Pop),
        new(OpCode.UnaryNegative,        Operand.Number,          Access.None,   Flow.Next,   SiteKind.Unary,         None),
        new(OpCode.UnaryPositive,        Operand.Number,          Access.None,   Flow.Next,   SiteKind.Unary,         None),
        new(OpCode.UnaryNot,             Operand.Number,          Access.None,   Flow.Next,   SiteKind.Unary,         None),
        new(OpCode.UnaryInvert,          Operand.Number,          Access.None,   Flow.Next,   SiteKind.Unary,         None),
        new(OpCode.CompareOp,            Operand.Comparison,      Access.None,   Flow.Next,   SiteKind.Compare,      Pop),
        new(OpCode.IsOp,                 Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.ContainsOp,           Operand.Number,          Access.None,   Flow.Next,   SiteKind.Contains,     Pop),
        new(OpCode.Jump,                 Operand.Target,          Access.None,   Flow.Jump,   SiteKind.None,         None,                             None),
        new(OpCode.JumpBackward,         Operand.Target,          Access.None,   Flow.Jump,   SiteKind.LoopBack,     None,                             None),
        new(OpCode.PopJumpIfFalse,       Operand.Target,          Access.None,   Flow.Branch, SiteKind.Truth,         Pop,                              Pop),
        new(OpCode.PopJumpIfTrue,        Operand.Target,          Access.None,   Flow.Branch, SiteKind.Truth,         Pop,                              Pop),
        new(OpCode.JumpIfFalseOrPop,     Operand.Target,          Access.None,   Flow.Branch, SiteKind.Truth,         Pop,                              None),
        new(OpCode.JumpIfTrueOrPop,      Operand.Target,          Access.None,   Flow.Branch, SiteKind.Truth,         Pop,                              None),
        new(OpCode.GetIter,              Operand.Number,          Access.None,   Flow.Next,   SiteKind.Iter,         None),
        new(OpCode.CloseIterator,        Operand.Number,          Access.None,   Flow.Next,   SiteKind.Close,        None),
        new(OpCode.ForIter,              Operand.Target,          Access.None,   Flow.Branch, SiteKind.ForStep,      Push,                             Pop),
        new(OpCode.ForIterYieldFrom,     Operand.Target,          Access.None,   Flow.Branch, SiteKind.YieldFrom,    Push,                             None),
        new(OpCode.BuildList,            Operand.Count,           Access.None,   Flow.Next,   SiteKind.None,         n => 1 - n),
        new(OpCode.BuildTuple,           Operand.Count,           Access.None,   Flow.Next,   SiteKind.None,         n => 1 - n),
        new(OpCode.BuildDict,            Operand.Count,           Access.None,   Flow.Next,   SiteKind.DictDisplay,         n => 1 - 2 * n),
        new(OpCode.BuildSlice,           Operand.Count,           Access.None,   Flow.Next,   SiteKind.None,         n => 1 - n),
        new(OpCode.BuildString,          Operand.Count,           Access.None,   Flow.Next,   SiteKind.None,         n => 1 - n),
        new(OpCode.ListExtend,           Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.ListToTuple,          Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         None),
        new(OpCode.DictMerge,            Operand.Flags,           Access.None,   Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.ListAppend,           Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.DictSet,              Operand.Number,          Access.None,   Flow.Next,   SiteKind.StoreItem,         _ => -2),
        new(OpCode.FormatValue,          Operand.Flags,           Access.None,   Flow.Next,   SiteKind.Format,         f => (f & 4) != 0 ? -1 : 0),
        new(OpCode.UnpackSequence,       Operand.Count,           Access.None,   Flow.Next,   SiteKind.None,         n => n - 1),
        new(OpCode.UnpackEx,             Operand.Counts,          Access.None,   Flow.Next,   SiteKind.None,         c => (c & 0xFF) + (c >> 8)),
        new(OpCode.LoadAttr,             Operand.Attribute,       Access.Read,   Flow.Next,   SiteKind.None,         None),
        new(OpCode.StoreAttr,            Operand.Attribute,       Access.Write,  Flow.Next,   SiteKind.None,         _ => -2),
        new(OpCode.DeleteAttr,           Operand.Attribute,       Access.Delete, Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.BinarySubscr,         Operand.Number,          Access.None,   Flow.Next,   SiteKind.Subscript,    Pop),
        new(OpCode.StoreSubscr,          Operand.Number,          Access.None,   Flow.Next,   SiteKind.StoreItem,         _ => -3),
        new(OpCode.DeleteSubscr,         Operand.Number,          Access.None,   Flow.Next,   SiteKind.DeleteItem,         _ => -2),
        new(OpCode.Call,                 Operand.Count,           Access.None,   Flow.Next,   SiteKind.Call,         n => -n),
        new(OpCode.CallKw,               Operand.Count,           Access.None,   Flow.Next,   SiteKind.Call,         n => -n - 1),
        new(OpCode.CallEx,               Operand.Flags,           Access.None,   Flow.Next,   SiteKind.Call,         f => -1 - f),
        new(OpCode.MakeFunction,         Operand.Flags,           Access.None,   Flow.Next,   SiteKind.None,         f => -System.Numerics.BitOperations.PopCount((uint)(f & 7))),
        new(OpCode.BuildClass,           Operand.Number,          Access.None,   Flow.Next,   SiteKind.ClassBody,    _ => -2),
        new(OpCode.ReturnValue,          Operand.Number,          Access.None,   Flow.Exit,   SiteKind.None,         Pop),
        new(OpCode.YieldValue,           Operand.Number,          Access.None,   Flow.Next,   SiteKind.Yield,        None),
        new(OpCode.Await,                Operand.Number,          Access.None,   Flow.Next,   SiteKind.Await,        None),
        new(OpCode.RaiseVarargs,         Operand.Number,          Access.None,   Flow.Exit,   SiteKind.Raise,        n => -n),
        new(OpCode.Reraise,              Operand.Number,          Access.None,   Flow.Exit,   SiteKind.None,         Pop),
        new(OpCode.PushExcInfo,          Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.PopExcept,            Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         Pop),
        new(OpCode.CheckExcMatch,        Operand.Number,          Access.None,   Flow.Next,   SiteKind.None,         None),
        new(OpCode.ImportName,           Operand.Module,          Access.Read,   Flow.Next,   SiteKind.Import,       Push),
        new(OpCode.ImportFrom,           Operand.Module,          Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.LoadMethod,           Operand.Attribute,       Access.Read,   Flow.Next,   SiteKind.None,         Push),
        new(OpCode.CallMethod,           Operand.Count,           Access.None,   Flow.Next,   SiteKind.Call,         n => -n - 1),
        new(OpCode.Materialize,          Operand.Number,          Access.None,   Flow.Next,   SiteKind.Materialize,  None),
        // Fused: the facts of the sequence as the interpreter runs it; analyses use WrittenOver's.
        new(OpCode.LoadFastConstBinary,  Operand.Local,           Access.Read,   Flow.Next,   SiteKind.None,         null, WrittenOver: OpCode.LoadFast, Covers: 3),
        new(OpCode.CompareJumpIfFalse,   Operand.Comparison,      Access.None,   Flow.Branch, SiteKind.Compare,      null, WrittenOver: OpCode.CompareOp, Covers: 2),
        new(OpCode.LoadFastLoadFast,     Operand.Local,           Access.Read,   Flow.Next,   SiteKind.None,         null, WrittenOver: OpCode.LoadFast, Covers: 2),
        new(OpCode.RaiseAssertion,       Operand.Number,          Access.None,   Flow.Exit,   SiteKind.None,         n => -n),
    };

    /// <summary>The facts of [op].</summary>
    public static OpFacts Of(OpCode op) => Rows[(int)op];

    /// <summary>Every row, in opcode order (for tests).</summary>
    public static IReadOnlyList<OpFacts> All => Rows;

    /// <summary>The opcode an analysis should see at an instruction: a fused one's first member.</summary>
    public static OpCode Unfused(OpCode op) => Rows[(int)op].WrittenOver ?? op;

    /// <summary>The change in operand-stack depth an instruction makes, on its fall-through path or, with [jump], when it jumps.</summary>
    public static int StackEffect(OpCode op, int arg, bool jump)
    {
        var facts = Rows[(int)op];
        if (facts.WrittenOver != null) throw new InvalidOperationException($"{op} is fused by Quickening and never emitted");
        var effect = jump || facts.Flow == Flow.Jump ? facts.JumpEffect : facts.Effect;
        return effect?.Invoke(arg) ?? throw new InvalidOperationException($"{op} does not jump");
    }

    /// <summary>The kind of resume site after [op], None when it is not a safe point. A fused opcode's is its first member's.</summary>
    public static SiteKind SiteOf(OpCode op) => Rows[(int)op].Site;

    public static bool IsSafePoint(OpCode op) => Rows[(int)op].IsSafePoint;
}
