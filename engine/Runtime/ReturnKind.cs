namespace Workflow.Runtime;

/// <summary>
/// What happens to a frame's outcome when it leaves the tasklet's chain. Calls push their result
/// on the caller's stack; the other kinds exist because the VM never recurses in C# to run script
/// code: constructors, class bodies, imports and generator resumptions are all plain frames whose
/// outcome the interpreter delivers to the caller in the way the instruction that pushed them needs.
/// </summary>
internal enum ReturnKind : byte
{
    /// <summary>A call: the result is pushed on the caller's stack.</summary>
    Call,
    /// <summary>`__init__` run by a class call: the result must be None; the new instance is pushed.</summary>
    Init,
    /// <summary>A class body: its namespace becomes a new class, which is pushed.</summary>
    ClassBody,
    /// <summary>A module's top-level code run by `import`: the module is pushed.</summary>
    Import,
    /// <summary>A generator resumed by ForIter: a yield pushes the value; a return ends the loop.</summary>
    ForIter,
    /// <summary>A generator resumed by ForIterYieldFrom: a return replaces the iterator with the return value.</summary>
    YieldFrom,
    /// <summary>A generator resumed by next(): a return raises StopIteration, or pushes the default the caller gave.</summary>
    Next,
    /// <summary>A user iterator's __next__ called by ForIter: a return pushes the value; StopIteration ends the loop.</summary>
    ForIterNext,
    /// <summary>A frame run by a nested interpreter loop for a C# caller (a key function, __eq__…): returning ends that loop.</summary>
    Nested,
    /// <summary>
    /// A generator being closed (GeneratorExit raised at its yield) by the CloseIterator that ends a
    /// `for` loop owning it: GeneratorExit (or another Exception) escaping, or a return, pushes None
    /// for the loop to pop; a yield is reported as unraisable and the generator dropped. Errors go
    /// to Interpreter.UnraisableException, as CPython's "Exception ignored in".
    /// </summary>
    Close,
}
