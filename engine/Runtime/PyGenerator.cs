using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// A generator: a suspended frame that runs on the caller's tasklet each time a value is asked
/// for. Resuming pushes [Frame] on top of the asker's frame chain (no C# recursion), so a generator
/// body may itself block on a channel or an await.
/// </summary>
internal sealed class PyGenerator
{
    public readonly Frame Frame;
    public bool Running;
    public bool Finished;
    /// <summary>False until the first resumption; later resumptions deliver None as the value of the `yield` expression.</summary>
    public bool Started;

    /// <summary>
    /// The exception the generator's own except/finally block is handling while it is suspended
    /// there (CPython keeps exception state per generator), and, while it runs, the caller's,
    /// restored when it yields or ends.
    /// </summary>
    public PyException? HandledException;
    public PyException? CallerHandledException;

    /// <summary>
    /// True while no script code but one `for` loop can reach this generator, so the loop may close
    /// it when it ends early, as CPython's reference count does (see GetIter in OpCode). Set when a
    /// generator function's call makes it; cleared as soon as that call's result goes anywhere but
    /// straight into the GetIter of a `for x in call(...):` (a variable, an argument, a return value).
    /// </summary>
    public bool Unshared;

    public PyGenerator(Frame frame) => Frame = frame;

    public string Name => Frame.Code.Name;

    /// <summary>'map', 'filter'…: the built-in iterator type a prelude generator implements, or null for a script's generator.</summary>
    public string? BuiltinTypeName => Frame.Code.FileName == Builtins.Prelude.FileName ? Builtins.Prelude.IteratorTypeName(Frame.Code.Name) : null;
}
