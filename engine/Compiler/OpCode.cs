namespace Workflow.Compiler;

/// <summary>
/// The VM's instruction set. An instruction is one int: the opcode in the low 8 bits and its
/// argument in the high 24. Each entry says what the instruction does, the operand stack written
/// bottom → top. How each behaves to an analysis (its stack effect, whether it is a safe point
/// and of which resume-site kind, where it jumps, what its argument names) is OpCodeTable's, one
/// line per opcode; keep the two in step when adding one (OpCodeTableTests checks the table).
/// </summary>
internal enum OpCode : byte
{
    /// <summary>Does nothing.</summary>
    Nop,

    /// <summary>Pushes Constants[arg].</summary>
    LoadConst,
    /// <summary>Pushes local slot [arg]; UnboundLocalError if it is empty.</summary>
    LoadFast,
    /// <summary>Pops into local slot [arg].</summary>
    StoreFast,
    /// <summary>Empties local slot [arg]; UnboundLocalError if it already is.</summary>
    DeleteFast,
    /// <summary>Pushes the value of cell [arg] (cell variables first, then free variables).</summary>
    LoadDeref,
    /// <summary>Pops into cell [arg].</summary>
    StoreDeref,
    /// <summary>Empties cell [arg].</summary>
    DeleteDeref,
    /// <summary>Pushes the cell object [arg] itself, to build a closure.</summary>
    LoadClosure,
    /// <summary>Pushes global Names[arg], falling back to the builtins; NameError if neither has it.</summary>
    LoadGlobal,
    /// <summary>Pops into global Names[arg].</summary>
    StoreGlobal,
    /// <summary>Deletes global Names[arg].</summary>
    DeleteGlobal,
    /// <summary>Class bodies: pushes Names[arg] from the class namespace, then globals, then builtins.</summary>
    LoadName,
    /// <summary>Class bodies: pops into the class namespace entry Names[arg].</summary>
    StoreName,
    /// <summary>Class bodies: deletes Names[arg] from the class namespace.</summary>
    DeleteName,

    /// <summary>Pops and discards the top of stack.</summary>
    PopTop,
    /// <summary>Pushes a copy of the item [arg] places down (1 = the top).</summary>
    Copy,
    /// <summary>Swaps the top with the item [arg] places down (2 = the one below the top).</summary>
    Swap,

    /// <summary>a, b → a ∘ b, where ∘ is BinaryOperator [arg &amp; 0xFF]; bit 8 of [arg] asks for the in-place form (+= on a list extends it). A user class's dunder method runs as a prelude frame.</summary>
    BinaryOp,
    /// <summary>a → -a.</summary>
    UnaryNegative,
    /// <summary>a → +a.</summary>
    UnaryPositive,
    /// <summary>a → not a.</summary>
    UnaryNot,
    /// <summary>a → ~a.</summary>
    UnaryInvert,
    /// <summary>a, b → a ∘ b for the rich comparison [arg] (0 ==, 1 !=, 2 &lt;, 3 &lt;=, 4 &gt;, 5 &gt;=). A user class's dunder method runs as a prelude frame.</summary>
    CompareOp,
    /// <summary>a, b → a is b ([arg] 0) or a is not b ([arg] 1).</summary>
    IsOp,
    /// <summary>a, b → a in b ([arg] 0) or a not in b ([arg] 1). When b is a generator, channel or user iterator the search runs as a prelude frame.</summary>
    ContainsOp,

    /// <summary>Jumps forward to offset [arg].</summary>
    Jump,
    /// <summary>Jumps back to offset [arg]: a loop back-edge, where preemption may happen.</summary>
    JumpBackward,
    /// <summary>Pops; jumps to [arg] if it was false.</summary>
    PopJumpIfFalse,
    /// <summary>Pops; jumps to [arg] if it was true.</summary>
    PopJumpIfTrue,
    /// <summary>If the top is false jumps to [arg] leaving it, else pops it (`and`).</summary>
    JumpIfFalseOrPop,
    /// <summary>If the top is true jumps to [arg] leaving it, else pops it (`or`).</summary>
    JumpIfTrueOrPop,

    /// <summary>
    /// iterable → iterator (a user class's __iter__ runs as a frame). [arg] 1: the iterable of
    /// `for x in call(...):`, so a generator the call has just made stays owned by the loop
    /// (PyGenerator.Unshared), and CloseIterator closes it when the loop ends early.
    /// </summary>
    GetIter,
    /// <summary>
    /// iterator → None, closing a generator its `for x in call(...):` loop owns as the loop ends early
    /// (break, return, an exception): GeneratorExit runs its finally blocks now, as CPython does when
    /// the loop drops the only reference. Its own site kind, so no other site moves.
    /// </summary>
    CloseIterator,
    /// <summary>iterator → iterator, next value; when exhausted pops the iterator and jumps to [arg]. A generator may block there.</summary>
    ForIter,
    /// <summary>Like ForIter for `yield from`: when exhausted replaces the iterator with the sub-generator's return value and jumps to [arg].</summary>
    ForIterYieldFrom,

    /// <summary>[arg] items → list.</summary>
    BuildList,
    /// <summary>[arg] items → tuple.</summary>
    BuildTuple,
    /// <summary>[arg] key, value pairs → dict.</summary>
    BuildDict,
    /// <summary>lower, upper → slice, or lower, upper, step → slice when [arg] is 3.</summary>
    BuildSlice,
    /// <summary>[arg] strings → their concatenation (f-strings).</summary>
    BuildString,
    /// <summary>list, iterable → list, extended (for `[*a, *b]`).</summary>
    ListExtend,
    /// <summary>list → tuple.</summary>
    ListToTuple,
    /// <summary>dict, mapping → dict, merged (for `{**a}`); with [arg] 1, for call keywords, a key already present is a TypeError.</summary>
    DictMerge,
    /// <summary>Comprehensions: value → (), appending it to the list [arg] places down.</summary>
    ListAppend,
    /// <summary>Comprehensions: key, value → (), storing into the dict [arg] places down.</summary>
    DictSet,
    /// <summary>value → formatted string; [arg] bits 0-1 conversion (0 none, 1 str, 2 repr, 3 ascii), bit 2 set when a spec string is on the stack above the value.</summary>
    FormatValue,

    /// <summary>sequence → its [arg] items, the first on top.</summary>
    UnpackSequence,
    /// <summary>sequence → items with a starred list in the middle; [arg] = before | after &lt;&lt; 8.</summary>
    UnpackEx,

    /// <summary>object → object.Names[arg].</summary>
    LoadAttr,
    /// <summary>value, object → (), setting object.Names[arg] = value.</summary>
    StoreAttr,
    /// <summary>object → (), deleting object.Names[arg].</summary>
    DeleteAttr,
    /// <summary>container, key → container[key]. A user class's __getitem__ runs as a prelude frame.</summary>
    BinarySubscr,
    /// <summary>value, container, key → (), setting container[key] = value.</summary>
    StoreSubscr,
    /// <summary>container, key → (), deleting container[key].</summary>
    DeleteSubscr,

    /// <summary>callable, [arg] positional arguments → result.</summary>
    Call,
    /// <summary>callable, [arg] arguments, names tuple → result; the last len(names) arguments are keyword arguments.</summary>
    CallKw,
    /// <summary>callable, args tuple[, kwargs dict when [arg] is 1] → result (calls with * or **).</summary>
    CallEx,
    /// <summary>
    /// [defaults tuple if arg&amp;1], [kw-defaults dict if arg&amp;2], [closure tuple if arg&amp;4], code → function.
    /// </summary>
    MakeFunction,
    /// <summary>body function, name, bases tuple → class: runs the body in a new namespace.</summary>
    BuildClass,
    /// <summary>value → (), returning it to the caller.</summary>
    ReturnValue,
    /// <summary>value → value sent back in (None): suspends the generator.</summary>
    YieldValue,
    /// <summary>awaitable → its result, blocking the tasklet until it is ready.</summary>
    Await,

    /// <summary>Raises: [arg] 0 re-raises the exception being handled, 1 raises the top, 2 raises exc from cause.</summary>
    RaiseVarargs,
    /// <summary>exception → (), re-raising it with its traceback intact (ends finally and except blocks that do not match).</summary>
    Reraise,
    /// <summary>exception → previous handled exception, exception: entering a handler makes it the one being handled.</summary>
    PushExcInfo,
    /// <summary>previous handled exception → (): leaving a handler restores it.</summary>
    PopExcept,
    /// <summary>exception, type → exception, bool: does the exception match the class or tuple of classes?</summary>
    CheckExcMatch,

    /// <summary>→ module Names[arg], importing it on first use. Runs the module body as a frame.</summary>
    ImportName,
    /// <summary>module → module, module.Names[arg]; ImportError when missing.</summary>
    ImportFrom,

    /// <summary>
    /// object → method, object for a method found on the class (a script function or a built-in's
    /// native method), so the call needs no bound-method object; else → attribute, NoSelf.
    /// </summary>
    LoadMethod,
    /// <summary>method, self-or-NoSelf, [arg] arguments → result: the call half of LoadMethod.</summary>
    CallMethod,

    /// <summary>
    /// iterable → iterable, or a list of its items when iterating it may run script code or block
    /// (a generator, a channel, a user iterator): the list is built by the prelude's `_list` as a
    /// frame. Emitted before UnpackSequence, UnpackEx and ListExtend.
    /// </summary>
    Materialize,

    // Fused instructions, written over the first instruction of a common sequence by Quickening
    // after compilation. The sequence's other instructions stay in place (a jump may target them);
    // the fused one reads their arguments and skips them.

    /// <summary>Over `LoadFast a; LoadConst c; BinaryOp op`: pushes local [arg] ∘ the constant.</summary>
    LoadFastConstBinary,
    /// <summary>Over `CompareOp op; PopJumpIfFalse t`: compares the top two and jumps to t when false, without making a bool.</summary>
    CompareJumpIfFalse,
    /// <summary>Over `LoadFast a; LoadFast b`: pushes both locals.</summary>
    LoadFastLoadFast,

    /// <summary>Asserts: raises AssertionError with the message on top when [arg] is 1, without one when 0.</summary>
    RaiseAssertion,
}
