using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>What settles a future: an event from outside the instance.</summary>
internal enum FutureKind : byte { Signal }

internal enum FutureState : byte { Pending, Resolved, Failed }

/// <summary>
/// A value that an event outside the instance settles: `signal(name)` is resolved by the next
/// signal of that name sent to the instance. (Timers, activities and child workflows are futures of
/// this same shape, settled by the durable runtime.) Awaiting a pending future parks the tasklet;
/// settling it wakes every awaiter in the order they came. Plain data, so it pickles.
/// </summary>
internal sealed class PyFuture
{
    public readonly FutureKind Kind;
    /// <summary>The signal name.</summary>
    public readonly string Name;
    /// <summary>Its number among the instance's futures, in creation order: signals of one name go to the oldest pending future first.</summary>
    public readonly int Sequence;
    public FutureState State;
    public object? Value;
    public PyException? Error;
    public readonly List<Tasklet> Awaiters = new();

    public PyFuture(FutureKind kind, string name, int sequence)
    {
        Kind = kind;
        Name = name;
        Sequence = sequence;
    }

    public bool IsPending => State == FutureState.Pending;

    /// <summary>How a waiting tasklet's reason reads in `wf stack` and deadlock reports.</summary>
    public string Description => Kind switch
    {
        FutureKind.Signal => $"signal '{Name}'",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public override string ToString() => $"<future {Description}>";
}
