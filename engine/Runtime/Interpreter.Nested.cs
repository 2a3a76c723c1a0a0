using Workflow.Compiler;
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

    /// <summary>
    /// While set, C# code that reaches a user method (or a generator) throws NeedsScript instead of
    /// running it nested: the built-in or instruction that set it then does its work as prelude
    /// frames, which may block and be pickled. Plain values never get that far, so the fast paths
    /// pay only for setting the flag.
    /// </summary>
    private bool _scriptFree;

    /// <summary>
    /// Runs [work] with user methods refused; when one is met, returns [fallback]'s result instead
    /// (usually a prelude frame doing the same work in script). [work] must not change anything
    /// before it can meet a user method: it is abandoned half way.
    /// </summary>
    internal object ScriptFreeOr(Func<object> work, Func<object> fallback)
    {
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            return work();
        }
        catch (NeedsScript)
        {
            _scriptFree = saved;
            return fallback();
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    /// <summary>ScriptFreeOr for a predicate: true with its result when it ran without script code.</summary>
    internal bool TryScriptFree(Func<object, object, bool> test, object a, object b, out bool result)
    {
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            result = test(a, b);
            return true;
        }
        catch (NeedsScript)
        {
            result = false;
            return false;
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    // The instructions' side of the same idea: each returns the plain result, or a prelude Frame
    // when a user method must run (the dispatch loop pushes it).

    /// <summary>`a op b` for a list, tuple or dict [a].</summary>
    internal object CompareContainers(int op, object a, object b)
    {
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            return Ops.Compare(op, a, b);
        }
        catch (NeedsScript)
        {
            _scriptFree = saved;
            return CallPrelude("_compare_op", a, b, Boxes.Int(op));
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    /// <summary>`item in container` (or `not in` with [negate]) as a boxed bool, or a frame of _contains_plain.</summary>
    internal object ContainsInContainer(object container, object item, bool negate)
    {
        // Keys of a str or an int call no user method unless the dict holds a key that may (an instance of equal hash).
        if (container is PyDict plainDict && item is string or long && plainDict.KeysCompareWithoutScript) return Boxes.Bool(plainDict.ContainsKey(item) != negate);
        if (container is not (PyList or PyTuple or PyDict or DictView)) return Boxes.Bool(Ops.Contains(container, item) != negate);
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            return Boxes.Bool(Ops.Contains(container, item) != negate);
        }
        catch (NeedsScript)
        {
            _scriptFree = saved;
            return CallPrelude(container is DictView ? "_contains_in_view" : "_contains_plain", container, item, Boxes.Bool(negate));
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    /// <summary>dict[key].</summary>
    internal object GetDictItem(object dict, object key)
    {
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            return Ops.GetItem(dict, key);
        }
        catch (NeedsScript)
        {
            _scriptFree = saved;
            return CallPrelude("_getitem", dict, key);
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    /// <summary>container[key] = value when no user method is involved; false when the prelude's _setitem must do it.</summary>
    internal bool StoredWithoutScript(object container, object key, object value)
    {
        if (container is PyInstance inst && Ops.FindUserMethod(inst, "__setitem__", out _)) return false;
        return TryScriptFree(() => Ops.SetItem(container, key, value));
    }

    /// <summary>del container[key] when no user method is involved; false when the prelude's _delitem must do it.</summary>
    internal bool DeletedWithoutScript(object container, object key)
    {
        if (container is PyInstance inst && Ops.FindUserMethod(inst, "__delitem__", out _)) return false;
        return TryScriptFree(() => Ops.DelItem(container, key));
    }

    private bool TryScriptFree(Action work)
    {
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            work();
            return true;
        }
        catch (NeedsScript)
        {
            return false;
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    /// <summary>The dict of a display's [count] key-value pairs from stack[start]; a frame of _build_dict when a key needs a user method.</summary>
    internal object BuildDict(Slot[] stack, int start, int count)
    {
        var dict = new PyDict();
        bool plainKeys = true;
        for (int i = start; i < start + 2 * count; i += 2)
            if (stack[i].V is not (string or long)) plainKeys = false;
        if (plainKeys)
        {
            for (int i = start; i < start + 2 * count; i += 2) dict.Set(stack[i].V, stack[i + 1].V);
            return dict;
        }
        var pairs = new object[2 * count];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = stack[start + i].V;
        return TryScriptFree(() =>
        {
            for (int i = 0; i < pairs.Length; i += 2) dict.Set(pairs[i], pairs[i + 1]);
        }) ? dict : CallPrelude("_build_dict", new PyTuple(pairs));
    }

    /// <summary>-x, +x or ~x of an instance: its method's frame, or the TypeError.</summary>
    internal object UnaryOnInstance(OpCode op, PyInstance inst)
    {
        var name = op switch { OpCode.UnaryNegative => "__neg__", OpCode.UnaryPositive => "__pos__", _ => "__invert__" };
        if (Ops.FindUserMethod(inst, name, out var method)) return Invoke(Ops.Bind(inst, method), Array.Empty<object>(), null);
        return op switch { OpCode.UnaryNegative => Ops.Negate(inst), OpCode.UnaryPositive => Ops.Positive(inst), _ => Ops.Invert(inst) };
    }

    /// <summary>An f-string field ([conversion] 1 !s, 2 !r, 3 !a) of a value that may hold user methods.</summary>
    internal object FormatField(object value, int conversion, string spec)
    {
        bool saved = _scriptFree;
        _scriptFree = true;
        try
        {
            var converted = conversion switch
            {
                1 => Ops.Str(value),
                2 => Ops.Repr(value),
                3 => Ops.Ascii(value),
                _ => value,
            };
            return converted is string s && spec.Length == 0 ? s : Ops.Format(converted, spec);
        }
        catch (NeedsScript)
        {
            _scriptFree = saved;
            return CallPrelude("_format_value", value, Boxes.Int(conversion), spec);
        }
        finally
        {
            _scriptFree = saved;
        }
    }

    private object RunNested(Frame frame, string caller, out bool yielded)
    {
        var t = CurrentTasklet ?? throw new InvalidOperationException("script code can only run inside a tasklet");
        if (_scriptFree) throw NeedsScript.Instance;
        Errors.EnsureStack("in " + caller);
        var saved = t.Top!;
        var savedCaller = _nestedCaller;
        var savedReturnKind = frame.ReturnKind;
        if (!frame.Link(saved, Options.MaxDepth)) throw Errors.New(ExceptionTypes.RecursionError, "maximum recursion depth exceeded");
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
                // The sequence protocol: obj[0], obj[1]… until IndexError, each a frame (the
                // prelude's generator, reported as CPython's 'iterator'; SequenceIterator is only
                // read from older pickles).
                return CallPrelude("_sequence_iter", inst);
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
        if (iterator is PyInstance inst && inst.Class.TryLookup("__next__", out var next))
        {
            // A user __next__ runs as a frame: its StopIteration is next()'s, or the default replaces it.
            return defaultValue == null ? Invoke(Ops.Bind(inst, next), Array.Empty<object>(), null) : CallPrelude("_next_default", inst, defaultValue);
        }
        if (Next(iterator, out var value)) return value;
        if (defaultValue != null) return defaultValue;
        throw Errors.StopIteration();
    }
}

/// <summary>
/// Thrown, never caught by script code, when C# running with Interpreter._scriptFree set meets a
/// user method: the caller redoes the work as prelude frames. Not a ScriptError, so no `except`
/// and no `finally` of script code ever sees it (no frame is entered while the flag is set).
/// </summary>
internal sealed class NeedsScript : Exception
{
    public static readonly NeedsScript Instance = new();

    private NeedsScript() : base("a user method must run as a frame") { }
}
