using System.Numerics;
using Newtonsoft.Json;
using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// Writes a whole instance, stopped between safe points, as JSON: the reduced frame chain of each
/// tasklet (function, resume site, live variables by name, operand stack), the scheduler's state,
/// the modules' globals, and one heap table of every object reachable from them, so sharing and
/// cycles survive. Containers are always heap entries named by index, never nested inline, so the
/// writer never recurses however deep the data is.
/// </summary>
/// <remarks>
/// Layout (version 2, PickleFormat):
/// <code>
/// { "format": 2, "program": sha256, "input": v?, "main": 1, "mainCalled": false?, "nextTasklet": n?,
///   "running": id?, "queue": [id…]?, "futures": [v…]?, "nextFuture": n, "signals": [[name, v]…]?,
///   "modules": [{ "name", "defs": [name…] or "all"?, "globals": {…}? }…],
///   "tasklets": [{ "id", "state", "frames": [outermost … innermost], … }…],
///   "heap": [{ "kind", … } or {"list"|"tuple": [v…]} or {"dict": [[k, v, hash?]…]} or {"shared": v}…] }
/// </code>
/// Keys marked ? are left out at their default, and so are parts of values: a frame's "site" is
/// "kind#n" with "#0" left out ("call" is "call#0", SiteNames), and a module's "defs" is "all" when
/// it would list every top-level def of the module's code in order (ModuleDefs). A value is JSON null/bool/int/string, or {"ref": i}
/// (heap; a string, float or big int held by two places is a {"shared": v} entry), {"int": "digits"} (big int), {"float": "1.5"|"nan"|"inf"|"-inf"}, {"def": name} (a
/// module's top-level function), {"builtin"|"type"|"native"|"const"|"module"|"tasklet": name or id},
/// {"utf16": "d800"} (a str with a lone surrogate, see PickledText).
/// </remarks>
internal sealed partial class Pickler
{
    private readonly JsonTextWriter _w;
    private readonly Dictionary<object, int> _ids = new(ReferenceEqualityComparer.Instance);
    private readonly List<object> _heap = new();
    private readonly bool _allLocals;

    private Pickler(StringWriter output, bool allLocals)
    {
        _text = output.GetStringBuilder();
        _w = new JsonTextWriter(output) { Formatting = Formatting.None, FloatFormatHandling = FloatFormatHandling.String, ArrayPool = CharBuffers.Shared };
        _allLocals = allLocals;
    }

    /// <summary>Pickles the instance running in [vm] (stopped, not inside a nested C# call) as UTF-8 JSON.</summary>
    /// <param name="allLocals">Keep every bound local, not only the live ones (for measuring what liveness saves).</param>
    /// <param name="maxBytes">The largest pickle allowed: past it, PickleTooLarge is thrown (early, while writing, when the text alone passes it).</param>
    public static byte[] Pickle(Interpreter vm, string programHash, bool allLocals = false, long maxBytes = long.MaxValue)
    {
        // Into a string first: cheaper for pickles of a few KB than a StreamWriter's buffers.
        var text = maxBytes == long.MaxValue
            ? new StringWriter(new System.Text.StringBuilder(1024), System.Globalization.CultureInfo.InvariantCulture)
            : new BoundedStringWriter(maxBytes);
        var pickler = new Pickler(text, allLocals);
        pickler.WriteInstance(vm, programHash);
        pickler._w.Flush();
        pickler.ReferToSharedValues();
        var bytes = new System.Text.UTF8Encoding(false).GetBytes(pickler._text.ToString());
        if (bytes.Length > maxBytes) throw new PickleTooLarge(maxBytes);
        return bytes;
    }

    private void WriteInstance(Interpreter vm, string programHash)
    {
        _w.WriteStartObject();
        Property("format", PickleFormat.Version);
        Property("program", programHash);
        if (vm.Input is not PyNone)
        {
            _w.WritePropertyName("input", false);
            WriteValue(vm.Input);
        }
        Property("main", vm.MainTasklet.Id);
        // Defaults left out to keep small pickles small: main() has been called, and tasklet ids
        // go on after the highest one in the pickle.
        if (!vm.MainCalled) Property("mainCalled", false);
        if (vm.NextTaskletId != vm.Tasklets.Max(t => t.Id) + 1) Property("nextTasklet", vm.NextTaskletId);
        if (vm.ContinuingTasklet is { } running) Property("running", running.Id);
        if (vm.RunQueue.Count > 0)
        {
            _w.WritePropertyName("queue", false);
            _w.WriteStartArray();
            foreach (var t in vm.RunQueue) _w.WriteValue(t.Id);
            _w.WriteEndArray();
        }

        if (vm.PendingFutures.Count > 0) Items("futures", vm.PendingFutures);
        Property("nextFuture", vm.NextFutureSequence);
        if (vm.CancelRequested) Property("cancelRequested", true);
        if (vm.QueuedSignals.Count > 0)
        {
            _w.WritePropertyName("signals", false);
            _w.WriteStartArray();
            foreach (var (name, payload) in vm.QueuedSignals)
            {
                _w.WriteStartArray();
                _w.WriteValue(name);
                WriteValue(payload);
                _w.WriteEndArray();
            }
            _w.WriteEndArray();
        }

        _w.WritePropertyName("modules", false);
        _w.WriteStartArray();
        foreach (var (name, module) in vm.Modules)
        {
            _w.WriteStartObject();
            Property("name", name);
            if (Builtins.BuiltinFunctions.Modules.ContainsKey(name))
            {
                Property("builtin", true);
            }
            else
            {
                WriteGlobals(module);
            }
            _w.WriteEndObject();
        }
        _w.WriteEndArray();

        _w.WritePropertyName("tasklets", false);
        _w.WriteStartArray();
        var scheduled = new HashSet<Tasklet>(vm.RunQueue, ReferenceEqualityComparer.Instance);
        if (vm.ContinuingTasklet is { } continuing) scheduled.Add(continuing);
        foreach (var t in vm.Tasklets) WriteTasklet(t, scheduled);
        _w.WriteEndArray();

        // Writing an entry may add more entries: the list grows while we walk it.
        _w.WritePropertyName("heap", false);
        _w.WriteStartArray();
        for (int i = 0; i < _heap.Count; i++) WriteHeapEntry(_heap[i]);
        _w.WriteEndArray();
        _w.WriteEndObject();
    }

    /// <summary>
    /// A module's globals. Those still bound to the function their own top-level `def` made are
    /// listed by name under "defs", or written "all" when they are every def of the module's code in
    /// order (ModuleDefs), so a module's functions cost a few bytes at most; `__name__` is implied.
    /// </summary>
    private void WriteGlobals(PyModule module)
    {
        var defs = new List<string>();
        foreach (var (name, value) in module.Globals.Items)
            if (IsDefUnderItsName(name, value)) defs.Add(name);
        if (ModuleDefs.AreAll(module, defs))
        {
            Property("defs", ModuleDefs.All);
        }
        else if (defs.Count > 0)
        {
            _w.WritePropertyName("defs", false);
            _w.WriteStartArray();
            foreach (var name in defs) _w.WriteValue(name);
            _w.WriteEndArray();
        }
        bool anyGlobals = false;
        foreach (var (name, value) in module.Globals.Items)
        {
            if (IsDefUnderItsName(name, value)) continue;
            if (name == "__name__" && value is string s && s == module.Name) continue;
            if (!anyGlobals)
            {
                _w.WritePropertyName("globals", false);
                _w.WriteStartObject();
                anyGlobals = true;
            }
            _w.WritePropertyName(name);
            WriteValue(value);
        }
        if (anyGlobals) _w.WriteEndObject();
    }

    /// <summary>
    /// Whether global [name] is where [value]'s own `def` bound it. Another name bound to the same
    /// function (`handler = check_a`, a loop variable over functions) is an ordinary global whose
    /// value is written by the function's identity ({"def": "check_a"}), never by the variable's name.
    /// </summary>
    private static bool IsDefUnderItsName(string name, object value) =>
        value is PyFunction fn && name == fn.Code.Name && IsOwnDef(fn);

    /// <summary>
    /// A function made by a top-level `def` of its module, still bound to its name there, with no
    /// defaults or closure: everything about it follows from the program's code, so it is named.
    /// </summary>
    internal static bool IsOwnDef(PyFunction fn) =>
        fn.Defaults.Length == 0 && fn.KwDefaults == null && fn.Closure.Length == 0
        && fn.Code.QualifiedName == fn.Code.Name
        && fn.Module.Globals.TryGetValue(fn.Code.Name, out var bound) && ReferenceEquals(bound, fn);

    /// <summary>
    /// A tasklet. Its state is left out where the unpickler can tell it (a result or an error:
    /// finished; queued or running: runnable; else blocked), and so is what it waits for, which is
    /// where it is queued: a channel's senders or receivers, a future's or a tasklet's awaiters.
    /// </summary>
    private void WriteTasklet(Tasklet t, HashSet<Tasklet> scheduled)
    {
        _w.WriteStartObject();
        Property("id", t.Id);
        var derived = t.Error != null ? TaskletState.Failed
            : t.Result != null ? TaskletState.Completed
            : scheduled.Contains(t) ? TaskletState.Runnable
            : TaskletState.Blocked;
        if (t.State != derived)
        {
            Property("state", t.State switch
            {
                TaskletState.Runnable => "runnable",
                TaskletState.Blocked => "blocked",
                TaskletState.Completed => "completed",
                _ => "failed",
            });
        }
        // A channel nothing else references any more is not in the pickle: keep what its waiter waited for.
        if (t.State == TaskletState.Blocked && t.BlockedOn is "send" or "receive") Property("blockedOn", t.BlockedOn);
        if (t.State == TaskletState.Blocked && t.Receiving != ReceiveMode.Call)
            Property("receiving", t.Receiving == ReceiveMode.Loop ? "loop" : "next");
        if (t.Top != null)
        {
            _w.WritePropertyName("frames", false);
            WriteChain(t.Top);
        }
        OptionalValue("resume", t.ResumeValue);
        OptionalValue("resumeError", t.ResumeError);
        OptionalValue("handled", t.HandledException);
        OptionalValue("result", t.Result);
        OptionalValue("error", t.Error);
        if (t.ErrorObserved) Property("errorObserved", true);
        if (t.Awaiters is { Count: > 0 })
        {
            _w.WritePropertyName("awaiters", false);
            _w.WriteStartArray();
            foreach (var a in t.Awaiters) _w.WriteValue(a.Id);
            _w.WriteEndArray();
        }
        _w.WriteEndObject();
    }

    /// <summary>A tasklet's frames, outermost first (like a traceback); a running generator's frame is written in its heap entry.</summary>
    private void WriteChain(Frame top)
    {
        var chain = new List<Frame>();
        for (var f = top; f != null; f = f.Parent) chain.Add(f);
        _w.WriteStartArray();
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            var f = chain[i];
            if (f.Generator != null)
            {
                _w.WriteStartObject();
                _w.WritePropertyName("generator", false);
                WriteValue(f.Generator);
                _w.WriteEndObject();
            }
            else
            {
                WriteFrame(f);
            }
        }
        _w.WriteEndArray();
    }

    private void WriteFrame(Frame f)
    {
        var code = f.Code;
        _w.WriteStartObject();
        if (code.ModuleName != "__main__") Property("module", code.ModuleName);
        Property("function", code.QualifiedName);
        // Offset 0 with an empty stack is the entry, even when a loop's head is there too: both go on alike.
        var site = f.Ip == 0 && f.Sp == 0 ? null : code.ResumeSiteAt(f.Ip, f.Sp);
        int[] liveSlots;
        if (site != null)
        {
            Property("site", SiteNames.Write(site));
            liveSlots = site.LiveSlots;
        }
        else if (f.Ip == 0 && f.Sp == 0)
        {
            Property("site", "entry");
            liveSlots = code.LiveAtEntrySlots;
        }
        else
        {
            throw new PickleException("", $"{code.QualifiedName} is not stopped at a safe point (offset {f.Ip}, stack {f.Sp}): this is a bug in the engine");
        }
        Property("line", f.CurrentLine);
        if (f.ReturnKind != ReturnKind.Call) Property("return", ReturnKindName(f.ReturnKind));

        bool any = false;
        if (_allLocals)
        {
            for (int slot = 0; slot < f.Locals.Length; slot++) WriteLocal(f, slot, ref any);
        }
        else
        {
            foreach (var slot in liveSlots) WriteLocal(f, slot, ref any);
        }
        if (any) _w.WriteEndObject();

        int cellCount = f.Cells.Length;
        if (cellCount > 0)
        {
            _w.WritePropertyName("cells", false);
            _w.WriteStartObject();
            for (int i = 0; i < cellCount; i++)
            {
                _w.WritePropertyName(i < code.CellNames.Length ? code.CellNames[i] : code.FreeNames[i - code.CellNames.Length], false);
                WriteValue(f.Cells[i]);
            }
            _w.WriteEndObject();
        }
        if (f.Sp > 0)
        {
            // The operand stack at a resume site, bottom first: iterators of enclosing for loops,
            // a call's callable and arguments evaluated so far, an except block's exceptions.
            _w.WritePropertyName("stack", false);
            _w.WriteStartArray();
            for (int i = 0; i < f.Sp; i++) WriteValue(f.Stack[i]);
            _w.WriteEndArray();
        }
        if (f.Namespace != null)
        {
            _w.WritePropertyName("namespace", false);
            WriteNames(f.Namespace);
        }
        OptionalValue("extra", f.Extra);
        OptionalValue("nextDefault", f.NextDefault);
        _w.WriteEndObject();
    }

    private void WriteLocal(Frame f, int slot, ref bool any)
    {
        var value = f.Locals[slot];
        if (value == null) return;
        if (!any)
        {
            _w.WritePropertyName("locals", false);
            _w.WriteStartObject();
            any = true;
        }
        _w.WritePropertyName(f.Code.LocalNames[slot], false); // an identifier: nothing to escape
        WriteValue(value);
    }

    internal static string ReturnKindName(ReturnKind kind) => kind switch
    {
        ReturnKind.Call => "call",
        ReturnKind.Init => "init",
        ReturnKind.ClassBody => "class_body",
        ReturnKind.Import => "import",
        ReturnKind.ForIter => "for_iter",
        ReturnKind.YieldFrom => "yield_from",
        ReturnKind.Next => "next",
        ReturnKind.ForIterNext => "for_iter_next",
        ReturnKind.Close => "close",
        _ => throw new PickleException("", $"a frame run by a nested C# call ({kind}) cannot be pickled: this is a bug in the engine"),
    };

    // ------------------------------------------------------------------------------ values

    private void WriteValue(object? v)
    {
        switch (v)
        {
            case null:
                throw new PickleException("", "an unbound value where a value was expected: this is a bug in the engine");
            case PyNone:
                _w.WriteNull();
                return;
            case bool b:
                _w.WriteValue(b);
                return;
            case long l:
                _w.WriteValue(l);
                return;
            case string or double or BigInteger:
                WriteImmutable(v);
                return;
            case BuiltinFunction bf:
                Tagged("builtin", BuiltinNames.NameOf(bf) ?? throw Unnamed($"built-in function {bf.Name}"));
                return;
            case PyClass cls when BuiltinNames.NameOf(cls) is { } typeName:
                Tagged("type", typeName);
                return;
            case NativeMethod native:
                Tagged("native", BuiltinNames.NameOf(native) ?? throw Unnamed($"method {native.Method.DeclaringType}.{native.Method.Name} of a built-in type"));
                return;
            case PyModule module:
                Tagged("module", module.Name);
                return;
            case PyFunction fn when IsOwnDef(fn):
                Tagged("def", fn.Module.Name == "__main__" ? fn.Code.Name : fn.Module.Name + ":" + fn.Code.Name);
                return;
            case Tasklet t:
                _w.WriteStartObject();
                _w.WritePropertyName("tasklet", false);
                _w.WriteValue(t.Id);
                _w.WriteEndObject();
                return;
        }
        if (BuiltinNames.ConstantName(v) is { } constant)
        {
            Tagged("const", constant);
            return;
        }
        if (!_ids.TryGetValue(v, out var id))
        {
            id = _heap.Count;
            _ids[v] = id;
            _heap.Add(v);
        }
        WriteRef(id);
    }

    private static PickleException Unnamed(string what) => new("", $"the {what} has no name in the pickle's table of built-ins: this is a bug in the engine");

    /// <summary>A str as a JSON string, or {"utf16": hex} when it holds a lone surrogate (PickledText says why).</summary>
    private void WriteStr(string s)
    {
        if (Values.Text.CodePoints.HasLoneSurrogate(s)) Tagged(PickledText.Tag, PickledText.ToHex(s));
        else _w.WriteValue(s);
    }

    private void Tagged(string tag, string name)
    {
        _w.WriteStartObject();
        _w.WritePropertyName(tag, false);
        _w.WriteValue(name);
        _w.WriteEndObject();
    }

    private void WriteHeapEntry(object v)
    {
        _w.WriteStartObject();
        switch (v)
        {
            // The commonest kinds in their compact form: {"list": [...]}, {"tuple": [...]}, {"dict": [[k, v]...]}.
            case PyList list:
                Items("list", list.Items);
                break;
            case PyTuple tuple:
                Items("tuple", tuple.Items);
                break;
            case PyDict dict:
                WriteDictItems("dict", dict);
                break;
            case Cell cell:
                Property("kind", "cell");
                OptionalValue("value", cell.Value);
                break;
            case PyException e:
                Property("kind", "exception");
                Value("class", e.Class);
                Items("args", e.Args.Items);
                if (e.Attributes.Count > 0)
                {
                    _w.WritePropertyName("attrs", false);
                    WriteNames(e.Attributes);
                }
                if (e.Traceback.Count > 0)
                {
                    _w.WritePropertyName("traceback", false);
                    _w.WriteStartArray();
                    foreach (var entry in e.Traceback)
                    {
                        _w.WriteStartArray();
                        _w.WriteValue(entry.File);
                        _w.WriteValue(entry.Line);
                        _w.WriteValue(entry.Function);
                        _w.WriteEndArray();
                    }
                    _w.WriteEndArray();
                }
                OptionalValue("context", e.Context);
                OptionalValue("cause", e.Cause);
                if (e.SuppressContext) Property("suppressContext", true);
                break;
            case PyInstance inst:
                Property("kind", "instance");
                Value("class", inst.Class);
                _w.WritePropertyName("attrs", false);
                WriteNames(inst.Attributes);
                break;
            case PyClass cls:
                Property("kind", "class");
                Property("name", cls.Name);
                Value("base", cls.Base!);
                _w.WritePropertyName("dict", false);
                WriteNames(cls.Dict);
                break;
            case PyFunction fn:
                Property("kind", "function");
                if (fn.Module.Name != "__main__") Property("module", fn.Module.Name);
                Property("code", fn.Code.QualifiedName);
                if (fn.Defaults.Length > 0) Items("defaults", fn.Defaults);
                if (fn.KwDefaults is { Count: > 0 })
                {
                    _w.WritePropertyName("kwdefaults", false);
                    WriteNames(fn.KwDefaults);
                }
                if (fn.Closure.Length > 0) Items("closure", fn.Closure);
                break;
            case CodeObject code:
                Property("kind", "code");
                if (code.ModuleName != "__main__") Property("module", code.ModuleName);
                Property("code", code.QualifiedName);
                break;
            case BoundMethod bm:
                Property("kind", "bound_method");
                Value("self", bm.Self);
                Value("function", bm.Function);
                break;
            case BoundNativeMethod bn:
                Property("kind", "bound_native");
                Value("self", bn.Self);
                Property("name", bn.Name);
                Value("method", bn.Method);
                break;
            case PySuper super:
                Property("kind", "super");
                Value("class", super.Class);
                Value("self", super.Self);
                break;
            case PyGenerator g:
                Property("kind", "generator");
                if (g.Started) Property("started", true);
                if (g.Running) Property("running", true);
                if (g.Unshared) Property("unshared", true);
                if (g.Finished)
                {
                    Property("finished", true);
                    if (g.Frame.Code.ModuleName != "__main__") Property("module", g.Frame.Code.ModuleName);
                    Property("function", g.Frame.Code.QualifiedName);
                }
                else
                {
                    _w.WritePropertyName("frame", false);
                    WriteFrame(g.Frame);
                }
                OptionalValue("handled", g.HandledException);
                OptionalValue("callerHandled", g.CallerHandledException);
                break;
            case PyChannel ch:
                Property("kind", "channel");
                Property("capacity", ch.Capacity);
                if (ch.Closed) Property("closed", true);
                if (ch.Buffer.Count > 0) Items("buffer", ch.Buffer);
                if (ch.Senders.Count > 0)
                {
                    _w.WritePropertyName("senders", false);
                    _w.WriteStartArray();
                    foreach (var (sender, value) in ch.Senders)
                    {
                        _w.WriteStartObject();
                        Property("tasklet", sender.Id);
                        Value("value", value);
                        _w.WriteEndObject();
                    }
                    _w.WriteEndArray();
                }
                if (ch.Receivers.Count > 0)
                {
                    _w.WritePropertyName("receivers", false);
                    _w.WriteStartArray();
                    foreach (var receiver in ch.Receivers) _w.WriteValue(receiver.Id);
                    _w.WriteEndArray();
                }
                break;
            case PyFuture future:
                // Compact, like lists: the future's type is the key, {"signal": name, "sequence": n, …}.
                switch (future.Kind)
                {
                    case FutureKind.Signal: Property("signal", future.Name); break;
                    case FutureKind.Activity: Property("activity", future.Name); break;
                    case FutureKind.Child: Property("child", future.Name); break;
                    case FutureKind.Timer:
                        // Whole milliseconds: exact in JSON, and what the timer row holds.
                        Property("timer", (long)Math.Round(future.Due * 1000));
                        break;
                    case FutureKind.Gather:
                    case FutureKind.First:
                        Items(future.Kind == FutureKind.Gather ? "gather" : "first", future.Parts!);
                        break;
                    default: throw Unnamed("future kind");
                }
                Property("sequence", future.Sequence);
                if (future.State != FutureState.Pending) Property("state", future.State == FutureState.Resolved ? "resolved" : "failed");
                OptionalValue("value", future.Value);
                OptionalValue("error", future.Error);
                if (future.Awaiters.Count > 0)
                {
                    _w.WritePropertyName("awaiters", false);
                    _w.WriteStartArray();
                    foreach (var a in future.Awaiters) _w.WriteValue(a.Id);
                    _w.WriteEndArray();
                }
                break;
            case PyRange r:
                Property("kind", "range");
                // Script ints: a plain JSON integer within 64 bits, a tagged {"int": digits} past them.
                Value("start", r.Start);
                Value("stop", r.Stop);
                Value("step", r.Step);
                break;
            case PySlice sl:
                Property("kind", "slice");
                Value("start", sl.Start);
                Value("stop", sl.Stop);
                Value("step", sl.Step);
                break;
            case DictView view:
                Property("kind", "dict_view");
                Value("dict", view.Dict);
                Property("view", ViewName(view.Kind));
                break;
            default:
                WriteIterator(v);
                break;
        }
        _w.WriteEndObject();
    }

    private void WriteIterator(object v)
    {
        switch (v)
        {
            case ListIterator li:
                Property("kind", "list_iterator");
                Value("list", li.List);
                Property("index", li.Index);
                break;
            case ListReverseIterator lr:
                Property("kind", "list_reverseiterator");
                Value("list", lr.List);
                Property("index", lr.Index);
                break;
            case TupleIterator ti:
                Property("kind", "tuple_iterator");
                Items("items", ti.Items);
                Property("index", ti.Index);
                if (ti.Reversed) Property("reversed", true);
                if (ti.ReverseTypeName != null) Property("type_name", ti.ReverseTypeName);
                break;
            case StrIterator si:
                Property("kind", "str_iterator");
                Value("text", si.Text);
                Property("index", si.Index);
                break;
            case RangeIterator ri:
                Property("kind", "range_iterator");
                Value("range", ri.Range);
                Property("index", ri.Index);
                if (ri.Reversed) Property("reversed", true);
                break;
            case DictIterator di:
                Property("kind", "dict_iterator");
                Value("dict", di.Dict);
                Property("view", ViewName(di.Kind));
                // Positions count live entries: the unpickled dict has no deleted slots.
                Property("index", di.Dict.LiveEntriesBefore(di.Position));
                Property("count", di.Count);
                if (di.Version != di.Dict.Version) Property("changed", true);
                break;
            case EnumerateIterator ei:
                Property("kind", "enumerate");
                Value("inner", ei.Inner);
                Value("count", ei.Count);
                break;
            case ZipIterator zi:
                Property("kind", "zip");
                Items("inner", zi.Inner);
                if (zi.Strict) Property("strict", true);
                if (zi.Done) Property("done", true);
                break;
            case MapIterator mi:
                Property("kind", "map");
                Value("function", mi.Function);
                Items("inner", mi.Inner);
                break;
            case FilterIterator fi:
                Property("kind", "filter");
                Value("function", fi.Function);
                Value("inner", fi.Inner);
                break;
            case SequenceIterator sq:
                Property("kind", "sequence_iterator");
                Value("target", sq.Target);
                Property("index", sq.Index);
                break;
            case ChannelIterator ci:
                Property("kind", "channel_iterator");
                Value("channel", ci.Channel);
                break;
            default:
                throw new PickleException("", $"no pickle kind for a value of type '{Ops.TypeName(v)}': this is a bug in the engine");
        }
    }

    internal static string ViewName(DictViewKind kind) => kind switch
    {
        DictViewKind.Keys => "keys",
        DictViewKind.Values => "values",
        _ => "items",
    };

    private void WriteDictItems(string name, PyDict dict)
    {
        _w.WritePropertyName(name, false);
        _w.WriteStartArray();
        foreach (var (key, value, hash) in dict.EntriesWithHashes)
        {
            _w.WriteStartArray();
            WriteValue(key);
            WriteValue(value);
            // A hash the key's own __hash__ computed is kept: recomputing it would run script code while unpickling.
            if (DictKeys.NeedsScriptToHash(key)) _w.WriteValue(hash);
            _w.WriteEndArray();
        }
        _w.WriteEndArray();
    }

    private void WriteNames<TValue>(IEnumerable<KeyValuePair<string, TValue>> names) where TValue : notnull
    {
        _w.WriteStartObject();
        foreach (var (name, value) in names)
        {
            _w.WritePropertyName(name);
            WriteValue(value);
        }
        _w.WriteEndObject();
    }

    private void Items<T>(string name, IEnumerable<T> items) where T : notnull
    {
        _w.WritePropertyName(name, false);
        _w.WriteStartArray();
        foreach (var item in items) WriteValue(item);
        _w.WriteEndArray();
    }

    private void Value(string name, object value)
    {
        _w.WritePropertyName(name, false);
        WriteValue(value);
    }

    private void OptionalValue(string name, object? value)
    {
        if (value == null) return;
        _w.WritePropertyName(name, false);
        WriteValue(value);
    }

    // Property names below are the pickle's own keys, plain ASCII: Json.NET need not escape them.
    private void Property(string name, string value)
    {
        _w.WritePropertyName(name, false);
        _w.WriteValue(value);
    }

    private void Property(string name, long value)
    {
        _w.WritePropertyName(name, false);
        _w.WriteValue(value);
    }

    private void Property(string name, bool value)
    {
        _w.WritePropertyName(name, false);
        _w.WriteValue(value);
    }
}
