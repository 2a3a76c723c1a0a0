using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Durable;

/// <summary>
/// How a turn hands one inbox entry to the VM: a signal is queued or taken, a cancellation raises
/// CancelledError at the awaits, an outcome settles the future it names by sequence. The VM knows
/// futures and signals; what the inbox is and how its entries read is the durable runtime's business.
/// </summary>
internal static class InboxDelivery
{
    /// <summary>
    /// Delivers [entry] and returns what the journal should say of it; its Delivered is false when
    /// nothing waited for it (an outcome for a future already settled or cancelled, a second cancel).
    /// Throws FormatException when its payload is not JSON.
    /// </summary>
    public static (bool Delivered, PyFuture? Future) Deliver(Interpreter vm, InboxEntry entry)
    {
        switch (entry.Kind)
        {
            case InboxKind.Signal:
                vm.DeliverSignal(entry.Name ?? "", JsonValues.Parse(entry.Payload ?? "null"));
                return (true, null);
            case InboxKind.Cancel:
                return (vm.DeliverCancel(), null);
        }
        var future = vm.PendingExternal(entry.Sequence);
        if (future == null) return (false, null);
        switch (entry.Kind)
        {
            case InboxKind.ActivityCompleted:
            case InboxKind.ChildCompleted:
                vm.SettleExternal(future, JsonValues.Parse(entry.Payload ?? "null"), null);
                break;
            case InboxKind.TimerFired:
                vm.SettleExternal(future, PyNone.Value, null);
                break;
            case InboxKind.ActivityFailed:
                vm.SettleExternal(future, null, new PyException(ExceptionTypes.ActivityError, PyTuple.Of(entry.Payload ?? "the activity failed")));
                break;
            case InboxKind.ChildFailed:
                vm.SettleExternal(future, null, new PyException(ExceptionTypes.ChildError, PyTuple.Of(entry.Payload ?? "the child workflow failed")));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(entry), entry.Kind, "unknown inbox entry kind");
        }
        return (true, future);
    }
}
