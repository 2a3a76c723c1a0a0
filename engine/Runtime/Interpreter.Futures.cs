using Workflow.Durable;
using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// Futures: made by the workflow (signal, activity, sleep, child, gather, first) and settled from
/// outside by the durable runtime's events, which name the future by its sequence number.
/// </summary>
internal sealed partial class Interpreter
{
    /// <summary>The work the instance started since the runtime last took it: activities, timers, children, cancellations.</summary>
    public readonly TurnWork Work = new();

    /// <summary>Whether the instance was asked to cancel (pickled: a second request changes nothing).</summary>
    public bool CancelRequested { get; set; }

    /// <summary>signal(name): the next signal [name] sent to the instance; one that already arrived settles it at once.</summary>
    public PyFuture SignalFuture(string name)
    {
        var future = NewExternal(FutureKind.Signal, name);
        ClaimQueuedSignals(future);
        return future;
    }

    /// <summary>activity(name, *args, retries=, timeout=): starts when created; [argumentsJson] is the JSON array of its arguments.</summary>
    public PyFuture ActivityFuture(string name, string argumentsJson, int? retries, double? timeoutSeconds)
    {
        CheckPayload(argumentsJson, $"the arguments of activity '{name}'");
        var future = NewExternal(FutureKind.Activity, name);
        Work.Activities.Add(new ActivityRequest(future.Sequence, name, argumentsJson, retries, timeoutSeconds));
        return future;
    }

    /// <summary>sleep/sleep_until: a durable timer due at [due] (epoch seconds).</summary>
    public PyFuture TimerFuture(double due)
    {
        // DateTime's range, years 1 to 9999.
        if (!(due >= -62_135_596_800 && due <= 253_402_300_799))
            throw Errors.OverflowError("sleep time out of range: the timer would fall outside the years 1 to 9999");
        var future = NewExternal(FutureKind.Timer, "", due);
        Work.Timers.Add(new TimerRequest(future.Sequence, DateTime.UnixEpoch.AddTicks((long)Math.Round(due * TimeSpan.TicksPerSecond))));
        return future;
    }

    /// <summary>child(workflow, input): a child instance of the latest deployed version of [workflow].</summary>
    public PyFuture ChildFuture(string workflow, string? inputJson)
    {
        if (inputJson != null) CheckPayload(inputJson, $"the input of child '{workflow}'");
        var future = NewExternal(FutureKind.Child, workflow);
        Work.Children.Add(new ChildRequest(future.Sequence, workflow, inputJson));
        return future;
    }

    private PyFuture NewExternal(FutureKind kind, string name, double due = 0)
    {
        CheckPendingQuota(kind);
        var future = new PyFuture(kind, name, _nextFutureSequence++, due);
        PendingFutures.Add(future);
        return future;
    }

    /// <summary>
    /// gather(*futures) (the list of their values; fails with the first failure) or first(*futures)
    /// ((index, value) of the first to settle; fails if that one failed). Parts already settled count at once.
    /// </summary>
    public PyFuture Combine(FutureKind kind, PyFuture[] parts)
    {
        var future = new PyFuture(kind, "", _nextFutureSequence++, parts: parts);
        // A new future has no dependents yet, so settling it here puts nothing on the work list.
        if (TrySettleCombined(future, new Stack<PyFuture>())) return future;
        foreach (var part in parts)
            if (part.IsPending) (part.Dependents ??= new List<PyFuture>()).Add(future);
        // Listed with the pending futures so that a pickle holds it even when only its awaiter knows it.
        PendingFutures.Add(future);
        return future;
    }

    /// <summary>
    /// Settles a gather/first whose parts allow it, pushing the futures that combine it on [next]
    /// (see SettleOne); false while it must wait.
    /// </summary>
    private bool TrySettleCombined(PyFuture combined, Stack<PyFuture> next)
    {
        var parts = combined.Parts!;
        if (combined.Kind == FutureKind.First)
        {
            // The part that settled first: parts settled before first() was called count in argument order.
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i].State == FutureState.Failed) { SettleOne(combined, null, parts[i].Error, next); return true; }
                if (parts[i].State == FutureState.Resolved) { SettleOne(combined, PyTuple.Of(Boxes.Int(i), parts[i].Value!), null, next); return true; }
            }
            return false;
        }
        foreach (var part in parts)
            if (part.State == FutureState.Failed) { SettleOne(combined, null, part.Error, next); return true; }
        if (parts.Any(p => p.IsPending)) return false;
        SettleOne(combined, new PyList(parts.Select(p => p.Value!).ToList()), null, next);
        return true;
    }

    /// <summary>The pending future numbered [sequence] that only an event from outside settles (activity, timer, child, signal), or null.</summary>
    public PyFuture? PendingExternal(int sequence) => PendingFutures.Find(f => f.Sequence == sequence && f.IsExternal);

    /// <summary>An event from outside settles [future] with [value] or [error], waking its awaiters. Run the instance on afterwards with Continue().</summary>
    public void SettleExternal(PyFuture future, object? value, PyException? error) => Settle(future, value, error);

    /// <summary>The pending futures from outside that a tasklet waits for, directly or through gather/first: what the instance waits for.</summary>
    public IEnumerable<PyFuture> AwaitedExternalFutures() => PendingFutures.Where(f => f.IsExternal && IsWaitedFor(f));

    /// <summary>
    /// A signal arrives: it settles the oldest pending signal(name) future, waking its awaiters, or
    /// queues until the workflow asks for it. Run the instance on afterwards with Continue().
    /// </summary>
    public void DeliverSignal(string name, object payload)
    {
        // Only a future someone still waits for takes it: the loser of a first(signal(n), sleep(...))
        // must not swallow the next signal n (it takes a queued one if it is awaited later).
        var future = PendingFutures.Find(f => f.Kind == FutureKind.Signal && f.Name == name && IsWaitedFor(f));
        if (future == null)
        {
            QueuedSignals.Add((name, payload));
            return;
        }
        Settle(future, payload, null);
    }

    /// <summary>
    /// Cancellation: every pending future fails with CancelledError, so each `await` on one raises
    /// it (the workflow's finally blocks run, and it may catch it to compensate); the activities,
    /// timers and children behind them are called off. Futures made afterwards work as usual.
    /// </summary>
    public bool DeliverCancel()
    {
        if (CancelRequested) return false;
        CancelRequested = true;
        foreach (var future in PendingFutures.ToArray())
        {
            if (future.Kind is FutureKind.Activity or FutureKind.Timer or FutureKind.Child) Work.Cancelled.Add(future.Sequence);
            Settle(future, null, new PyException(ExceptionTypes.CancelledError, PyTuple.Of("the workflow was cancelled")));
        }
        return true;
    }

    /// <summary>
    /// Whether a tasklet awaits [future], directly or through pending gather/first futures. Those
    /// nest as deep as the script made them (`f = gather(f)` in a loop), so they are searched with
    /// a work list, each once, not with a recursion.
    /// </summary>
    private static bool IsWaitedFor(PyFuture future)
    {
        var pending = new Stack<PyFuture>();
        var searched = new HashSet<PyFuture>(ReferenceEqualityComparer.Instance);
        pending.Push(future);
        while (pending.TryPop(out var f))
        {
            if (f.Awaiters.Count > 0) return true;
            foreach (var combined in f.Dependents ?? [])
                if (combined.IsPending && searched.Add(combined)) pending.Push(combined);
        }
        return false;
    }

    /// <summary>
    /// Before a tasklet waits on [future]: its pending signal futures (it, or the parts of a
    /// gather/first, in argument order) take signals that queued while nobody waited for them.
    /// </summary>
    /// <remarks>
    /// The parts are visited depth first in argument order, with a work list rather than a
    /// recursion (gathers nest as deep as the script made them), each once however often shared.
    /// </remarks>
    private void ClaimQueuedSignals(PyFuture future)
    {
        var pending = new Stack<PyFuture>();
        var visited = new HashSet<PyFuture>(ReferenceEqualityComparer.Instance);
        pending.Push(future);
        while (pending.TryPop(out var f))
        {
            if (!f.IsPending || !visited.Add(f)) continue;
            if (f.Kind != FutureKind.Signal)
            {
                var parts = f.Parts ?? [];
                for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
                continue;
            }
            int queued = QueuedSignals.FindIndex(s => s.Name == f.Name);
            if (queued < 0) continue;
            var payload = QueuedSignals[queued].Payload;
            QueuedSignals.RemoveAt(queued);
            Settle(f, payload, null);
        }
    }

    /// <summary>
    /// Settles [future], waking its awaiters, then the gather/first futures its settling completes,
    /// and theirs in turn: a chain as long as the script made it (`f = gather(f)` in a loop), so
    /// it is followed with a work list, in the order a recursion would take (a future's dependents
    /// before the next sibling's), which keeps the order tasklets wake in.
    /// </summary>
    private void Settle(PyFuture future, object? value, PyException? error)
    {
        var next = new Stack<PyFuture>();
        SettleOne(future, value, error, next);
        while (next.TryPop(out var combined))
            if (combined.IsPending) TrySettleCombined(combined, next);
    }

    /// <summary>Settles [future] alone and wakes its awaiters; pushes the futures that combine it on [next], the first on top.</summary>
    private void SettleOne(PyFuture future, object? value, PyException? error, Stack<PyFuture> next)
    {
        if (!future.IsPending) return;
        PendingFutures.Remove(future);
        // A settled gather/first no longer listens to its parts.
        foreach (var part in future.Parts ?? Array.Empty<PyFuture>()) part.Dependents?.Remove(future);
        future.State = error == null ? FutureState.Resolved : FutureState.Failed;
        future.Value = value;
        future.Error = error;
        foreach (var waiter in future.Awaiters)
        {
            if (error != null) WakeWithError(waiter, error);
            else Wake(waiter, value!);
        }
        future.Awaiters.Clear();
        if (future.Dependents is { } dependents)
        {
            future.Dependents = null;
            for (int i = dependents.Count - 1; i >= 0; i--) next.Push(dependents[i]);
        }
    }

    /// <summary>await on a future: its value now, or parks until it is settled.</summary>
    private object AwaitFuture(PyFuture future)
    {
        ClaimQueuedSignals(future);
        switch (future.State)
        {
            case FutureState.Resolved:
                return future.Value!;
            case FutureState.Failed:
                throw new ScriptError(future.Error!);
        }
        Park(future.Description);
        future.Awaiters.Add(CurrentTasklet!);
        return Suspended;
    }

    /// <summary>Whether a tasklet waits on a future only the outside can settle: the instance then waits rather than deadlocks.</summary>
    /// <remarks>
    /// A pending gather/first is among the pending futures and always has a pending part, so an
    /// awaited pending future means a wait that only the outside can end.
    /// </remarks>
    private bool WaitsOnOutside() => PendingFutures.Any(f => f.Awaiters.Count > 0);

    internal int NextFutureSequence
    {
        get => _nextFutureSequence;
        set => _nextFutureSequence = value;
    }
}

/// <summary>What an instance's turn started, for the durable runtime to commit with its pickle.</summary>
internal sealed class TurnWork
{
    public readonly List<ActivityRequest> Activities = new();
    public readonly List<TimerRequest> Timers = new();
    public readonly List<ChildRequest> Children = new();
    /// <summary>Sequence numbers of activities, timers and children called off by cancellation.</summary>
    public readonly List<int> Cancelled = new();

    public void Clear()
    {
        Activities.Clear();
        Timers.Clear();
        Children.Clear();
        Cancelled.Clear();
    }

    /// <summary>Takes over what another VM of the same instance started (chaos mode swaps VMs mid-turn).</summary>
    public void MoveFrom(TurnWork other)
    {
        Activities.AddRange(other.Activities);
        Timers.AddRange(other.Timers);
        Children.AddRange(other.Children);
        Cancelled.AddRange(other.Cancelled);
        other.Clear();
    }
}
