using Workflow.Compiler;

namespace Workflow.Runtime;

/// <summary>
/// One activation of script code, kept on the heap: calls push frames onto the tasklet's chain
/// through [Parent] instead of recursing in C#, which is what makes a running tasklet a plain data
/// structure that can be pickled. Everything the frame needs to continue is here: the instruction
/// pointer, local slots, cells and the operand stack.
/// </summary>
internal sealed class Frame
{
    public readonly CodeObject Code;
    public readonly PyModule Module;
    public readonly object?[] Locals;
    public readonly Cell[] Cells;
    public readonly object[] Stack;
    public int Sp;
    public int Ip;

    /// <summary>The frame below on the tasklet's chain; null for a tasklet's root frame and a suspended generator.</summary>
    public Frame? Parent;
    public ReturnKind ReturnKind;

    /// <summary>Class bodies run with their names in this dictionary, which becomes the class namespace.</summary>
    public Dictionary<string, object>? Namespace;
    /// <summary>For ReturnKind.Init: the instance under construction. For ReturnKind.ClassBody: the bases tuple.</summary>
    public object? Extra;
    /// <summary>For ReturnKind.Next with a default: the value next() returns when the generator ends.</summary>
    public object? NextDefault;
    /// <summary>The generator this frame belongs to, if any.</summary>
    public PyGenerator? Generator;
    /// <summary>The function this frame runs when made by a plain call, which may recycle it after it returns.</summary>
    public PyFunction? Function;
    /// <summary>How many frames are below this one on its tasklet, for RecursionError.</summary>
    public int Depth;
    /// <summary>
    /// How many frames of built-ins written in script (the prelude: implicit dunder calls, sorting,
    /// printing…) are in this frame's chain, this one included. CPython counts such C-level calls
    /// against its recursion limit; so does Link, against ValueNesting.MaxDepth, which is what ends
    /// recursion through dunders (an `__eq__` comparing lists that hold the object) early, as
    /// CPython does, before the chain is too large to pickle.
    /// </summary>
    public int BuiltinDepth;
    private readonly bool _isBuiltin;

    /// <summary>Resolved global slots and builtins for Code.Names, shared by every frame of one function (see GlobalCache).</summary>
    public readonly GlobalCache Globals;

    public Frame(CodeObject code, PyModule module, Cell[]? closure, GlobalCache? globals = null)
    {
        Code = code;
        Module = module;
        Globals = globals ?? new GlobalCache(code.Names.Length);
        _isBuiltin = code.ModuleName == Builtins.Prelude.ModuleName;
        Locals = code.LocalNames.Length == 0 ? Array.Empty<object?>() : new object?[code.LocalNames.Length];
        Stack = new object[code.MaxStack];
        var cellCount = code.CellNames.Length + code.FreeNames.Length;
        if (cellCount == 0)
        {
            Cells = Array.Empty<Cell>();
        }
        else
        {
            Cells = new Cell[cellCount];
            for (int i = 0; i < code.CellNames.Length; i++) Cells[i] = new Cell();
            if (closure != null)
                for (int i = 0; i < code.FreeNames.Length; i++) Cells[code.CellNames.Length + i] = closure[i];
        }
    }

    /// <summary>
    /// Puts this frame above [caller] on its chain and counts its depths; false when either passes
    /// its limit (the caller then raises RecursionError, or refuses the pickle).
    /// </summary>
    public bool Link(Frame caller, int maxDepth)
    {
        Parent = caller;
        Depth = caller.Depth + 1;
        BuiltinDepth = caller.BuiltinDepth + (_isBuiltin ? 1 : 0);
        return Depth <= maxDepth && BuiltinDepth <= Values.ValueNesting.MaxDepth;
    }

    /// <summary>The source line being executed (the instruction before Ip, which has already advanced).</summary>
    public int CurrentLine => Code.Lines.Length == 0 ? Code.FirstLine : Code.Lines[Math.Clamp(Ip - 1, 0, Code.Lines.Length - 1)];
}
