using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>Futures: made by the workflow (signal(name)), settled from outside (a signal arriving).</summary>
internal sealed partial class Interpreter
{
    /// <summary>signal(name): the next signal [name] sent to the instance; one that already arrived settles it at once.</summary>
    public PyFuture SignalFuture(string name)
    {
        var future = new PyFuture(FutureKind.Signal, name, _nextFutureSequence++);
        int queued = QueuedSignals.FindIndex(s => s.Name == name);
        if (queued >= 0)
        {
            future.State = FutureState.Resolved;
            future.Value = QueuedSignals[queued].Payload;
            QueuedSignals.RemoveAt(queued);
        }
        else
        {
            PendingFutures.Add(future);
        }
        return future;
    }

    /// <summary>
    /// A signal arrives: it settles the oldest pending signal(name) future, waking its awaiters, or
    /// queues until the workflow asks for it. Run the instance on afterwards with Continue().
    /// </summary>
    public void DeliverSignal(string name, object payload)
    {
        var future = PendingFutures.Find(f => f.Kind == FutureKind.Signal && f.Name == name);
        if (future == null)
        {
            QueuedSignals.Add((name, payload));
            return;
        }
        Settle(future, payload, null);
    }

    private void Settle(PyFuture future, object? value, PyException? error)
    {
        PendingFutures.Remove(future);
        future.State = error == null ? FutureState.Resolved : FutureState.Failed;
        future.Value = value;
        future.Error = error;
        foreach (var waiter in future.Awaiters)
        {
            if (error != null) WakeWithError(waiter, error);
            else Wake(waiter, value!);
        }
        future.Awaiters.Clear();
    }

    /// <summary>await on a future: its value now, or parks until it is settled.</summary>
    private object AwaitFuture(PyFuture future)
    {
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

    internal int NextFutureSequence
    {
        get => _nextFutureSequence;
        set => _nextFutureSequence = value;
    }
}
