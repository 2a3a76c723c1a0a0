using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// What settles a future. Signal, Activity, Timer and Child are settled by events from outside the
/// instance (the durable runtime delivers them by sequence number); Gather and First are settled by
/// their parts.
/// </summary>
internal enum FutureKind : byte { Signal, Activity, Timer, Child, Gather, First }

internal enum FutureState : byte { Pending, Resolved, Failed }

/// <summary>
/// A value that settles later: `signal(name)`, `activity(...)`, `sleep(...)`, `child(...)`, and the
/// combinations `gather(...)`/`first(...)`. Awaiting a pending future parks the tasklet; settling it
/// wakes every awaiter in the order they came. Plain data, so it pickles.
/// </summary>
internal sealed class PyFuture
{
    public readonly FutureKind Kind;
    /// <summary>The signal name, the activity name, or the child's workflow name; "" for the other kinds.</summary>
    public readonly string Name;
    /// <summary>
    /// Its number among the instance's futures, in creation order: the runtime's events name the
    /// future they settle by it, the activity's idempotency key includes it, and signals of one name
    /// go to the oldest pending future first.
    /// </summary>
    public readonly int Sequence;
    /// <summary>A timer's due time, in epoch seconds.</summary>
    public readonly double Due;
    /// <summary>The futures a Gather or First combines, in argument order.</summary>
    public readonly PyFuture[]? Parts;

    public FutureState State;
    public object? Value;
    public PyException? Error;
    public readonly List<Tasklet> Awaiters = new();
    /// <summary>Pending Gather/First futures that combine this one: told when it settles. Rebuilt from Parts on unpickling, never pickled.</summary>
    public List<PyFuture>? Dependents;

    public PyFuture(FutureKind kind, string name, int sequence, double due = 0, PyFuture[]? parts = null)
    {
        Kind = kind;
        Name = name;
        Sequence = sequence;
        Due = due;
        Parts = parts;
    }

    public bool IsPending => State == FutureState.Pending;

    /// <summary>Settled by an event from outside the instance (not by other futures).</summary>
    public bool IsExternal => Kind is not (FutureKind.Gather or FutureKind.First);

    /// <summary>How a waiting tasklet's reason reads in `wf stack` and deadlock reports.</summary>
    public string Description => Kind switch
    {
        FutureKind.Signal => $"signal '{Name}'",
        FutureKind.Activity => $"activity '{Name}'",
        FutureKind.Timer => $"timer due {DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(Due * 1000)):yyyy-MM-dd HH:mm:ss.fff}Z",
        FutureKind.Child => $"child '{Name}'",
        FutureKind.Gather => $"gather of {Parts!.Length}",
        FutureKind.First => $"first of {Parts!.Length}",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public override string ToString() => $"<future {Description}>";
}
