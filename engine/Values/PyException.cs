namespace Workflow.Values;

/// <summary>One line of a traceback: where a frame was when the exception passed through it.</summary>
internal readonly record struct TracebackEntry(string File, int Line, string Function);

/// <summary>
/// An exception object: an instance of BaseException or a subclass (built-in or user-defined).
/// [Args] is what the constructor received, as in CPython; [Traceback] grows as the exception
/// unwinds, innermost frame last.
/// </summary>
internal sealed class PyException : PyInstance
{
    public PyTuple Args;
    public readonly List<TracebackEntry> Traceback = new();

    /// <summary>The exception being handled when this one was raised (`__context__`).</summary>
    public PyException? Context;

    /// <summary>The exception named by `raise … from cause` (`__cause__`).</summary>
    public PyException? Cause;
    public bool SuppressContext;

    public PyException(PyClass cls, PyTuple args) : base(cls) => Args = args;
}
