namespace Workflow.Compiler;

/// <summary>
/// A place in a function where the tasklet may be suspended and later resumed, possibly in another
/// process: after a call, an await, a yield, a loop back-edge. A pickle names the site, never a
/// raw bytecode offset, by its [Kind] and its [Ordinal] among the function's sites of that kind
/// ([Name], `call#2`): that stays when the compiler's instruction layout changes and when other
/// opcodes become safe points of new kinds, as long as the source does not change.
/// [Format1Ordinal] is its ordinal among the sites of the kinds format 1 counted (-1 for a later
/// kind), how format-1 pickles name it. [Index] is its place in CodeObject.ResumeSites.
/// [Instruction] is the safe point's own offset; [Offset] is where execution goes on (the next
/// instruction, or for a loop back-edge the loop's head); [StackDepth] is the operand stack depth
/// there once the safe point's result has been pushed.
/// </summary>
internal sealed record ResumeSite(int Index, SiteKind Kind, int Ordinal, int Format1Ordinal, int Instruction, int Offset, int Line, int StackDepth)
{
    /// <summary>The site's identity as `wf dis` writes it (pickles leave out "#0": Pickling.SiteNames).</summary>
    public string Name => $"{SiteKinds.Name(Kind)}#{Ordinal}";

    /// <summary>Names of the local variables live after this site (filled by Liveness).</summary>
    public string[] LiveLocals { get; set; } = Array.Empty<string>();
    /// <summary>The local slots of LiveLocals, in the same order.</summary>
    public int[] LiveSlots { get; set; } = Array.Empty<int>();
}

/// <summary>
/// An exception handler: when an instruction tagged with this handler raises, the operand stack
/// is cut to [StackDepth], the exception is pushed and execution continues at [Target].
/// </summary>
internal sealed record ExceptionHandler(int Target, int StackDepth);

/// <summary>The compiled form of a function, lambda, comprehension, class body or module.</summary>
internal sealed class CodeObject
{
    public required string Name { get; init; }
    /// <summary>Dotted name inside the module (`Order.total`, `outer.&lt;locals&gt;.inner`), stable across builds: pickles name functions by it.</summary>
    public required string QualifiedName { get; init; }
    public required string FileName { get; init; }
    public required string ModuleName { get; init; }
    public required int FirstLine { get; init; }

    public required int[] Instructions { get; init; }
    /// <summary>The source line of each instruction.</summary>
    public required int[] Lines { get; init; }
    public required object[] Constants { get; init; }
    /// <summary>Names used by global, attribute and import instructions.</summary>
    public required string[] Names { get; init; }

    /// <summary>Local slots: parameters first (positional, keyword-only, *args, **kwargs), then other locals.</summary>
    public required string[] LocalNames { get; init; }
    /// <summary>Locals captured by inner functions; they live in cells, indexed before the free variables.</summary>
    public required string[] CellNames { get; init; }
    /// <summary>Variables of enclosing functions this code reads through its closure.</summary>
    public required string[] FreeNames { get; init; }
    /// <summary>For each cell variable that is also a parameter, its local slot (copied into the cell on entry), else -1.</summary>
    public required int[] CellParameterSlots { get; init; }

    public required int PositionalCount { get; init; }
    public required int KwOnlyCount { get; init; }
    public required bool HasVarArgs { get; init; }
    public required bool HasVarKeywords { get; init; }
    public required bool IsGenerator { get; init; }
    /// <summary>Class bodies and module code run with a name dictionary instead of local slots.</summary>
    public required bool IsClassBody { get; init; }

    /// <summary>For each instruction, the index in [Handlers] of the handler that protects it, or -1.</summary>
    public required int[] HandlerOf { get; init; }
    public required ExceptionHandler[] Handlers { get; init; }
    public required int MaxStack { get; init; }
    public required ResumeSite[] ResumeSites { get; init; }

    /// <summary>The resume site of the safe point at instruction offset [instruction], if it is one.</summary>
    public ResumeSite? ResumeSiteOf(int instruction)
    {
        foreach (var site in ResumeSites)
            if (site.Instruction == instruction) return site;
        return null;
    }

    /// <summary>The resume site of [kind] with [ordinal] among the sites of that kind, if there is one.</summary>
    public ResumeSite? ResumeSiteNamed(SiteKind kind, int ordinal)
    {
        foreach (var site in ResumeSites)
            if (site.Kind == kind && site.Ordinal == ordinal) return site;
        return null;
    }

    /// <summary>The resume site a format-1 pickle names by [ordinal], if there is one.</summary>
    public ResumeSite? ResumeSiteOfFormat1(int ordinal)
    {
        foreach (var site in ResumeSites)
            if (site.Format1Ordinal == ordinal) return site;
        return null;
    }

    /// <summary>
    /// The first resume site where execution goes on at [offset] with a stack depth of [stackDepth]
    /// (the site's result pending) or one more (pushed). Sites sharing an offset (two back-edges of
    /// one loop) are interchangeable: the same code runs next with the same stack.
    /// </summary>
    public ResumeSite? ResumeSiteAt(int offset, int stackDepth)
    {
        foreach (var site in ResumeSites)
            if (site.Offset == offset && (site.StackDepth == stackDepth || site.StackDepth == stackDepth + 1)) return site;
        return null;
    }

    /// <summary>Local variables live at the function's entry (its parameters that are read), for frames not yet started.</summary>
    public string[] LiveAtEntry { get; set; } = Array.Empty<string>();
    public int[] LiveAtEntrySlots { get; set; } = Array.Empty<int>();

    private Dictionary<string, int>? _slotOf;

    /// <summary>The local slot of variable [name], or -1 (for the unpickler, which reads variables by name).</summary>
    public int LocalSlot(string name)
    {
        var map = _slotOf;
        if (map == null)
        {
            map = new Dictionary<string, int>(LocalNames.Length);
            for (int i = 0; i < LocalNames.Length; i++) map.TryAdd(LocalNames[i], i);
            _slotOf = map;
        }
        return map.TryGetValue(name, out var slot) ? slot : -1;
    }

    /// <summary>
    /// LoadMethod's inline cache: for each name, the built-in type last seen there and its native
    /// method. Entries are immutable and replaced whole, so threads sharing this code race harmlessly.
    /// </summary>
    internal NativeMethodCacheEntry?[]? MethodCache;

    public override string ToString() => $"<code {QualifiedName}>";
}

internal sealed record NativeMethodCacheEntry(Values.PyClass Type, Values.NativeMethod Method);
