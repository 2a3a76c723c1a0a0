using Workflow.Values;

namespace Workflow.Runtime;

internal sealed partial class Interpreter
{
    /// <summary>
    /// Calls script code from C# (a key function, __eq__, __repr__, a map() function) and returns
    /// its result. It runs a nested interpreter loop on the current tasklet, so unlike ordinary calls
    /// it does use the C# stack; the callee may not block (Park refuses, naming [caller]).
    /// </summary>
    public object CallNested(object callable, object[] args, Dictionary<string, object>? kwargs, string caller)
    {
        var result = Invoke(callable, args, kwargs);
        if (result is Frame frame) return RunNested(frame, caller, out _);
        if (result == Suspended) throw Errors.RuntimeError($"cannot block inside a callback from {caller}");
        return result;
    }

    private object RunNested(Frame frame, string caller, out bool yielded)
    {
        var t = CurrentTasklet ?? throw new InvalidOperationException("script code can only run inside a tasklet");
        Errors.EnsureStack("in " + caller);
        var saved = t.Top!;
        var savedCaller = _nestedCaller;
        var savedReturnKind = frame.ReturnKind;
        frame.Parent = saved;
        frame.Depth = saved.Depth + 1;
        if (frame.Depth > Options.MaxDepth) throw Errors.New(ExceptionTypes.RecursionError, "maximum recursion depth exceeded");
        t.Top = frame;
        _nestedDepth++;
        _nestedCaller = caller;
        try
        {
            Loop(t, frame);
            yielded = _nestedYielded;
            var result = _nestedResult!;
            _nestedResult = null;
            _nestedYielded = false;
            if (savedReturnKind == ReturnKind.Init && !yielded)
            {
                if (result is not PyNone) throw Errors.TypeError($"__init__() should return None, not '{Ops.TypeName(result)}'");
                return frame.Extra!;
            }
            return result;
        }
        finally
        {
            _nestedDepth--;
            _nestedCaller = savedCaller;
            t.Top = saved;
        }
    }

    /// <summary>iter(x): an iterator for any iterable value.</summary>
    public object GetIterator(object iterable)
    {
        switch (iterable)
        {
            case PyIterator or PyGenerator or ChannelIterator: return iterable;
            case PyList list: return new ListIterator(list);
            case PyTuple tuple: return new TupleIterator(tuple.Items);
            case string s: return new StrIterator(s);
            case PyRange range: return new RangeIterator(range);
            case PyDict dict: return new DictIterator(dict, DictViewKind.Keys);
            case DictView view: return new DictIterator(view.Dict, view.Kind);
            case PyChannel channel: return new ChannelIterator(channel);
            case PyInstance inst when inst.Class.TryLookup("__iter__", out var iter):
                return CallNested(Ops.Bind(inst, iter), Array.Empty<object>(), null, "iter()");
            case PyInstance inst when inst.Class.TryLookup("__getitem__", out _):
                return new SequenceIterator(inst);
            default:
                throw Errors.TypeError($"'{Ops.TypeName(iterable)}' object is not iterable");
        }
    }

    /// <summary>Advances any iterator from C#; generators and __next__ methods run nested.</summary>
    public bool Next(object iterator, out object value)
    {
        // enumerate(enumerate(…)) nested deeply recurses here through each iterator's MoveNext.
        using var level = ValueNesting.Enter("while advancing an iterator");
        switch (iterator)
        {
            case PyIterator pi:
                return pi.MoveNext(out value);
            case PyGenerator g:
                return NextOfGenerator(g, out value);
            case ChannelIterator ci:
                if (ci.Channel.TryTake(this, out value)) return true;
                if (ci.Channel.Closed) return false;
                throw Errors.RuntimeError("a built-in cannot wait on a channel: receive in a for loop instead");
            default:
                return NextOfObject(iterator, out value);
        }
    }

    private bool NextOfGenerator(PyGenerator g, out object value)
    {
        value = null!;
        if (g.Finished) return false;
        if (g.Running) throw Errors.ValueError("generator already executing");
        var frame = PrepareResume(g, ReturnKind.Nested);
        var result = RunNested(frame, "code that reads a generator whole (unpacking, *args, `in`, or a built-in)", out var yielded);
        if (!yielded) return false;
        value = result;
        return true;
    }

    /// <summary>Advances an object with a __next__ method; StopIteration means exhausted.</summary>
    private bool NextOfObject(object iterator, out object value)
    {
        if (iterator is not PyInstance inst || !inst.Class.TryLookup("__next__", out var next))
            throw Errors.TypeError($"'{Ops.TypeName(iterator)}' object is not an iterator");
        try
        {
            value = CallNested(Ops.Bind(inst, next), Array.Empty<object>(), null, "__next__");
            return true;
        }
        catch (ScriptError e) when (e.Exception.Class.IsSubclassOf(ExceptionTypes.StopIteration))
        {
            value = null!;
            return false;
        }
    }

    /// <summary>Iterates any iterable from C#, lazily, charging the items as BuiltinWork says.</summary>
    public IEnumerable<object> Iterate(object iterable)
    {
        int work = 0;
        switch (iterable)
        {
            case PyList list:
                for (int i = 0; i < list.Items.Count; i++)
                {
                    BuiltinWork.Step(ref work);
                    yield return list.Items[i];
                }
                yield break;
            case PyTuple tuple:
                foreach (var item in tuple.Items)
                {
                    BuiltinWork.Step(ref work);
                    yield return item;
                }
                yield break;
        }
        var it = GetIterator(iterable);
        while (Next(it, out var v))
        {
            BuiltinWork.Step(ref work);
            yield return v;
        }
    }

    /// <summary>next(it) and next(it, default) called from script: a generator resumes as a frame on this tasklet.</summary>
    internal object NextBuiltin(object iterator, object? defaultValue)
    {
        if (iterator is PyGenerator g && CurrentTasklet != null && _nestedDepth == 0)
        {
            if (g.Finished)
            {
                if (defaultValue != null) return defaultValue;
                throw Errors.StopIteration();
            }
            var frame = PrepareResume(g, ReturnKind.Next);
            frame.NextDefault = defaultValue;
            return frame;
        }
        if (iterator is ChannelIterator ci && _nestedDepth == 0)
        {
            // Blocks like receive(); a closed, drained channel ends like any exhausted iterator.
            try
            {
                return ci.Channel.Receive(this, ReceiveMode.Next);
            }
            catch (ScriptError e) when (defaultValue != null && e.Exception.Class == ExceptionTypes.StopIteration)
            {
                return defaultValue;
            }
        }
        if (iterator is not (PyIterator or PyGenerator or PyInstance or ChannelIterator))
            throw Errors.TypeError($"'{Ops.TypeName(iterator)}' object is not an iterator");
        if (Next(iterator, out var value)) return value;
        if (defaultValue != null) return defaultValue;
        throw Errors.StopIteration();
    }
}
