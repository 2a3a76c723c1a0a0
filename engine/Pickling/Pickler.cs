using Newtonsoft.Json;
using Workflow.Pickling.Kinds;
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
/// Each heap kind's layout is beside its code in Kinds/ (PickledKinds lists them); frames are
/// written by Pickler.Frames, values by Pickler.Values.
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

    /// <summary>A heap entry: its kind (Kinds/, one file each) writes what is inside the braces.</summary>
    private void WriteHeapEntry(object v)
    {
        _w.WriteStartObject();
        PickledKinds.ToWrite(v).Write(this, v);
        _w.WriteEndObject();
    }

    // ------------------------------------------------------------------------------ for the kinds

    /// <summary>The JSON writer, for a kind's own shapes (Kinds/); property names there are the pickle's own ASCII keys.</summary>
    internal JsonTextWriter Writer => _w;

    /// <summary>A dict's entries under [name]: [[k, v, hash?]…] (PickledDict).</summary>
    internal void DictItems(string name, PyDict dict)
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

    /// <summary>A map of script names under [name]: {name: v…}.</summary>
    internal void Names<TValue>(string name, IEnumerable<KeyValuePair<string, TValue>> names) where TValue : notnull
    {
        _w.WritePropertyName(name, false);
        _w.WriteStartObject();
        foreach (var (key, value) in names)
        {
            _w.WritePropertyName(key);
            WriteValue(value);
        }
        _w.WriteEndObject();
    }

    /// <summary>Tasklets by id under [name]: [id…].</summary>
    internal void TaskletIds(string name, IEnumerable<Tasklet> tasklets)
    {
        _w.WritePropertyName(name, false);
        _w.WriteStartArray();
        foreach (var t in tasklets) _w.WriteValue(t.Id);
        _w.WriteEndArray();
    }

    internal void Items<T>(string name, IEnumerable<T> items) where T : notnull
    {
        _w.WritePropertyName(name, false);
        _w.WriteStartArray();
        foreach (var item in items) WriteValue(item);
        _w.WriteEndArray();
    }

    internal void Value(string name, object value)
    {
        _w.WritePropertyName(name, false);
        WriteValue(value);
    }

    internal void OptionalValue(string name, object? value)
    {
        if (value == null) return;
        _w.WritePropertyName(name, false);
        WriteValue(value);
    }

    // Property names below are the pickle's own keys, plain ASCII: Json.NET need not escape them.
    internal void Property(string name, string value)
    {
        _w.WritePropertyName(name, false);
        _w.WriteValue(value);
    }

    internal void Property(string name, long value)
    {
        _w.WritePropertyName(name, false);
        _w.WriteValue(value);
    }

    internal void Property(string name, bool value)
    {
        _w.WritePropertyName(name, false);
        _w.WriteValue(value);
    }
}
