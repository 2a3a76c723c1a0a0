using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// A Stackless-style channel between the tasklets of one instance: unbuffered (a send waits for a
/// receiver, a rendezvous) or buffered with [Capacity] slots. Wake-ups follow LANGUAGE.md's
/// scheduling order: the woken tasklet goes to the end of the run queue and the current one keeps
/// running. All state is plain data (queues of values and of waiting tasklets) so it pickles.
/// </summary>
internal sealed class PyChannel
{
    public readonly int Capacity;
    public readonly Queue<object> Buffer = new();
    /// <summary>Tasklets blocked in send, with the value each is sending, oldest first.</summary>
    public readonly Queue<(Tasklet Tasklet, object Value)> Senders = new();
    /// <summary>Tasklets blocked in receive (or in a `for v in ch` loop), oldest first.</summary>
    public readonly Queue<Tasklet> Receivers = new();
    public bool Closed;

    /// <summary>Delivered to a tasklet blocked in `for v in ch` when the channel closes: the loop ends instead of raising.</summary>
    public static readonly object EndOfIteration = new();

    public PyChannel(int capacity) => Capacity = capacity;

    public object Send(Interpreter vm, object value)
    {
        vm.BlockingOperations++;
        if (Closed) throw Errors.New(ExceptionTypes.ChannelClosedError, "send on closed channel");
        if (Receivers.Count > 0)
        {
            vm.Wake(Receivers.Dequeue(), value);
            return PyNone.Value;
        }
        if (Buffer.Count < Capacity)
        {
            Buffer.Enqueue(value);
            return PyNone.Value;
        }
        vm.Park("send");
        Senders.Enqueue((vm.CurrentTasklet!, value));
        return Interpreter.Suspended;
    }

    /// <summary>The next value, Suspended after parking the receiver, or EndOfIteration/ChannelClosedError once closed and drained.</summary>
    public object Receive(Interpreter vm, ReceiveMode mode)
    {
        vm.BlockingOperations++;
        if (TryTake(vm, out var value)) return value;
        if (Closed)
        {
            if (mode == ReceiveMode.Loop) return EndOfIteration;
            if (mode == ReceiveMode.Next) throw Errors.StopIteration();
            throw Errors.New(ExceptionTypes.ChannelClosedError, "receive on closed channel");
        }
        vm.Park("receive");
        var t = vm.CurrentTasklet!;
        t.Receiving = mode;
        Receivers.Enqueue(t);
        return Interpreter.Suspended;
    }

    /// <summary>Takes a value that is ready without waiting: from the buffer or a blocked sender.</summary>
    public bool TryTake(Interpreter vm, out object value)
    {
        if (Buffer.Count > 0)
        {
            value = Buffer.Dequeue();
            if (Senders.Count > 0)
            {
                // A sender waiting on the full buffer gets its value in and goes on.
                var (sender, pending) = Senders.Dequeue();
                Buffer.Enqueue(pending);
                vm.Wake(sender, PyNone.Value);
            }
            return true;
        }
        if (Senders.Count > 0)
        {
            var (sender, pending) = Senders.Dequeue();
            vm.Wake(sender, PyNone.Value);
            value = pending;
            return true;
        }
        value = null!;
        return false;
    }

    /// <summary>Closes the channel: later sends fail; waiting receivers get ChannelClosedError (or end their loop).</summary>
    public object Close(Interpreter vm)
    {
        if (Closed) return PyNone.Value;
        Closed = true;
        while (Receivers.Count > 0)
        {
            var t = Receivers.Dequeue();
            switch (t.Receiving)
            {
                case ReceiveMode.Loop: vm.Wake(t, EndOfIteration); break;
                case ReceiveMode.Next: vm.WakeWithError(t, Errors.StopIteration().Exception); break;
                default: vm.WakeWithError(t, Errors.New(ExceptionTypes.ChannelClosedError, "receive on closed channel").Exception); break;
            }
        }
        return PyNone.Value;
    }
}

/// <summary>The iterator of `for v in ch`: receives until the channel is closed and drained.</summary>
internal sealed class ChannelIterator
{
    public readonly PyChannel Channel;
    public ChannelIterator(PyChannel channel) => Channel = channel;
}
