using Workflow.Values;

namespace Workflow.Runtime;

internal enum TaskletState : byte { Runnable, Blocked, Completed, Failed }

/// <summary>
/// How a receive was asked for: ch.receive() (close raises ChannelClosedError), a `for v in ch`
/// loop (close ends the loop), or next() on the channel's iterator (close raises StopIteration).
/// </summary>
internal enum ReceiveMode : byte { Call, Loop, Next }

/// <summary>
/// A lightweight thread of a workflow instance: a chain of frames ([Top] is the innermost) plus
/// its scheduling state. Switching tasklets is swapping which chain the interpreter runs; no .NET
/// thread ever blocks. A tasklet is also the handle `spawn` returns, awaitable for its result.
/// </summary>
internal sealed class Tasklet
{
    public readonly int Id;
    public Frame? Top;
    public TaskletState State;

    /// <summary>The value main or the spawned function returned, once Completed.</summary>
    public object? Result;
    /// <summary>The exception that escaped, once Failed; re-raised by await.</summary>
    public PyException? Error;
    /// <summary>Whether someone awaited the failure (otherwise it is only logged).</summary>
    public bool ErrorObserved;

    /// <summary>Tasklets blocked in `await` on this one.</summary>
    public List<Tasklet>? Awaiters;

    /// <summary>What the tasklet gets when it resumes after blocking: a value pushed on its top frame, or an exception raised there.</summary>
    public object? ResumeValue;
    public PyException? ResumeError;

    /// <summary>What it waits for, for deadlock reports: "send", "receive", "await".</summary>
    public string? BlockedOn;

    /// <summary>The exception being handled by an `except` or `finally` block, for bare `raise` and __context__.</summary>
    public PyException? HandledException;

    /// <summary>How the tasklet blocked in receive, which decides what closing the channel does to it.</summary>
    public ReceiveMode Receiving;

    public Tasklet(int id, Frame? top)
    {
        Id = id;
        Top = top;
    }

    public bool IsMain => Id == 1;
    public bool IsDone => State is TaskletState.Completed or TaskletState.Failed;

    public override string ToString() => IsMain ? $"tasklet {Id} (main)" : $"tasklet {Id}";
}
