using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// How a run stopped: main returned, main failed, main ended with CancelledError (the instance was
/// cancelled and did not catch it), or every tasklet waits and some wait for an outside event.
/// </summary>
public enum ProgramStatus { Completed, Failed, Waiting, Cancelled }

/// <summary>How a run ended: main's result, or the exception (with traceback) that failed it.</summary>
public sealed class ProgramOutcome
{
    public required ProgramStatus Status { get; init; }
    /// <summary>The value main returned (a script value), or None.</summary>
    internal object? Result { get; init; }
    internal PyException? Error { get; init; }

    /// <summary>The traceback of the failure in CPython's layout, or null when the run completed.</summary>
    public string? ErrorText { get; init; }
    /// <summary>The last line of the traceback: `ValueError: bad input`.</summary>
    public string? ErrorSummary { get; init; }
}
