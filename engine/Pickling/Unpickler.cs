using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Newtonsoft.Json;
using Workflow.Pickling.Kinds;
using static Workflow.Pickling.PickleRead;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// Rebuilds an instance from a pickle (see Pickler for the layout) into a fresh VM. It builds
/// only the language's own kinds, from the closed table of PickledKinds, and checks everything it
/// reads: JSON shape, references, that each frame's function and resume site exist in the program
/// recompiled from source, and that frame chains and operand stacks are ones the interpreter could
/// have left. Anything else is refused with a PickleException naming the path inside the pickle.
/// </summary>
/// <remarks>
/// This file reads the envelope, the modules and the tasklets, and drives the heap: each entry's
/// kind (Kinds/, one file each) creates, fills and checks its object, in the passes PickledKind
/// describes. Frames are read in Unpickler.Frames, values in Unpickler.Values, JSON shapes with
/// PickleRead, and operand stacks checked by StackCheck.
/// </remarks>
internal sealed partial class Unpickler
{
    private readonly ProgramCode _program;
    private readonly Interpreter _vm;
    private PArray _heap = new();
    private object?[] _objects = Array.Empty<object>();
    /// <summary>How many heap entries Resolve is creating at once, each waiting for the next.</summary>
    private int _building;
    private bool[] _creating = Array.Empty<bool>();
    private readonly Dictionary<int, Tasklet> _tasklets = new();
    /// <summary>Each heap entry's kind, found when its object is created.</summary>
    private PickledKind[] _kinds = Array.Empty<PickledKind>();
    private readonly HashSet<PyGenerator> _chained = new(ReferenceEqualityComparer.Instance);
    /// <summary>Frames the pickle put at their function's entry (offset 0 may also be a loop head's resume site).</summary>
    private readonly HashSet<Frame> _entryFrames = new(ReferenceEqualityComparer.Instance);
    /// <summary>The pickle's format version: format 1 names resume sites differently (PickleFormat).</summary>
    private int _format = PickleFormat.Version;
    /// <summary>Frames whose operand stacks are checked once every heap object is complete (a constant tuple's items, say).</summary>
    private readonly List<(Frame Frame, PObject Token)> _stackChecks = new();

    private Unpickler(ProgramCode program, Interpreter vm)
    {
        _program = program;
        _vm = vm;
    }

    /// <summary>Reads [pickle] into a new VM that writes to [output], ready for Continue().</summary>
    public static Interpreter Unpickle(byte[] pickle, ProgramCode program, TextWriter output, InterpreterOptions? options = null)
    {
        var root = Parse(pickle);
        var vm = new Interpreter(output, options, program.ModuleSource);
        vm.PrepareRestore();
        var unpickler = new Unpickler(program, vm);
        try
        {
            unpickler.ReadInstance(root);
        }
        catch (ScriptError e)
        {
            throw new PickleException(unpickler._current?.Path ?? "", e.Message);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new PickleException(unpickler._current?.Path ?? "", "objects nest too deeply to rebuild");
        }
        return vm;
    }

    /// <summary>Parses the JSON, with a depth limit: nesting in a valid pickle is shallow (containers are heap entries).</summary>
    internal static PObject Parse(byte[] pickle)
    {
        try
        {
            using var text = new StringReader(new System.Text.UTF8Encoding(false).GetString(pickle));
            return PNode.Parse(text, maxDepth: 64) as PObject ?? throw new PickleException("", "a pickle is a JSON object");
        }
        catch (JsonException e)
        {
            throw new PickleException((e as JsonReaderException)?.Path ?? "", "not valid JSON: " + e.Message);
        }
    }

    /// <summary>
    /// What is being read, for errors the interpreter's code raises (a key that cannot be hashed).
    /// Its path is worked out only then, as building path strings for every heap entry would cost
    /// time and memory for nothing.
    /// </summary>
    private PNode? _current;

    private void ReadInstance(PObject root)
    {
        NoTypeMetadata(root);
        var format = Int(Required(root, "format"), 1, int.MaxValue);
        if (format < PickleFormat.OldestReadable || format > PickleFormat.Version)
            throw Bad(root["format"]!, $"pickle format {format} is not supported (this engine reads formats {PickleFormat.OldestReadable} to {PickleFormat.Version})");
        _format = format;
        if (root["separateStrings"] is { } separate) _separateStrings = Arr(separate).Select(t => LoneSurrogateText(t) ?? Str(t)).ToHashSet(StringComparer.Ordinal);
        var program = Str(Required(root, "program"));
        if (program != _program.Hash)
            throw Bad(root["program"]!, $"the pickle was written by program {program}, not by the program being loaded ({_program.Hash})");

        var moduleGlobals = ReadModules(Arr(Required(root, "modules")));
        var taskletEntries = Arr(Required(root, "tasklets"));
        // Queued or running tasklets are runnable: the state is written only where it says otherwise.
        var scheduled = new HashSet<long>();
        if (root["queue"] is PArray queued)
            foreach (var q in queued)
                if (q is PValue { Value: long qid }) scheduled.Add(qid);
        if (root["running"] is PValue { Value: long rid }) scheduled.Add(rid);
        foreach (var entry in taskletEntries)
        {
            var t = Obj(entry);
            NoTypeMetadata(t);
            var id = Int(Required(t, "id"), 1, int.MaxValue);
            var stateToken = t["state"];
            var state = stateToken == null
                ? t["error"] != null ? TaskletState.Failed
                    : t["result"] != null ? TaskletState.Completed
                    : scheduled.Contains(id) ? TaskletState.Runnable
                    : TaskletState.Blocked
                : Str(stateToken) switch
                {
                    "runnable" => TaskletState.Runnable,
                    "blocked" => TaskletState.Blocked,
                    "completed" => TaskletState.Completed,
                    "failed" => TaskletState.Failed,
                    var other => throw Bad(stateToken, $"unknown tasklet state '{other}'"),
                };
            if (!_tasklets.TryAdd(id, new Tasklet(id, null) { State = state })) throw Bad(t["id"]!, $"tasklet {id} appears twice");
        }

        _heap = Arr(Required(root, "heap"));
        _objects = new object?[_heap.Count];
        _kinds = new PickledKind[_heap.Count];
        _creating = new bool[_heap.Count];
        for (int i = 0; i < _heap.Count; i++) Resolve(i, _heap[i]);
        HeapPass(Pass.Fill);
        HeapPass(Pass.Finish);
        foreach (var (module, globals) in moduleGlobals)
            foreach (var (name, value) in globals)
                module.Globals[name] = Value(value!);
        HeapPass(Pass.Settle);

        foreach (var entry in taskletEntries) ReadTasklet(Obj(entry));
        foreach (var (frame, token) in _stackChecks)
        {
            _current = token;
            StackCheck.Check(frame, token);
        }
        for (int i = 0; i < _objects.Length; i++)
            if (_objects[i] is PyGenerator { Running: true } g && !_chained.Contains(g))
                throw Bad(_heap[i], "the generator is marked running but is on no tasklet's frame chain");

        var main = TaskletRef(Required(root, "main"));
        // Without "nextTasklet" the next id follows the highest, which must leave room for one more.
        var nextTasklet = root["nextTasklet"] is { } next ? Int(next, 1, int.MaxValue) : (int)Math.Min(int.MaxValue, _tasklets.Keys.DefaultIfEmpty(0).Max() + 1L);
        if (_tasklets.Keys.Any(id => id >= nextTasklet)) throw Bad(root["nextTasklet"] ?? taskletEntries, "a tasklet id is not below nextTasklet");
        Tasklet? running = null;
        if (root["running"] is { } r)
        {
            running = TaskletRef(r);
            if (running.State != TaskletState.Runnable) throw Bad(r, "the running tasklet is not runnable");
        }
        var queue = new List<Tasklet>();
        foreach (var q in root["queue"] is { } queueToken ? Arr(queueToken) : new PArray())
        {
            var t = TaskletRef(q);
            if (queue.Contains(t) || t == running) throw Bad(q, $"tasklet {t.Id} is queued twice");
            queue.Add(t);
        }
        var mainCalled = root["mainCalled"] is not { } called || Bool(called);
        if (root["futures"] is { } futures)
        {
            foreach (var f in Arr(futures))
            {
                var future = Value(f) as PyFuture ?? throw Bad(f, "expected a future");
                if (!future.IsPending || _vm.PendingFutures.Contains(future)) throw Bad(f, "the list of pending futures holds a settled or repeated future");
                _vm.PendingFutures.Add(future);
            }
        }
        if (root["signals"] is { } signals)
        {
            foreach (var s in Arr(signals))
            {
                var pair = Arr(s);
                if (pair.Count != 2) throw Bad(s, "a queued signal is [name, payload]");
                _vm.QueuedSignals.Add((Str(pair[0]), Value(pair[1])));
            }
        }
        _vm.NextFutureSequence = Int(Required(root, "nextFuture"), 1, int.MaxValue);
        _vm.CancelRequested = root["cancelRequested"] is { } cancelRequested && Bool(cancelRequested);
        _current = root["input"] ?? root;
        var input = root["input"] is { } inputToken ? Value(inputToken) : PyNone.Value;
        _vm.Restore(input, mainCalled, _tasklets.Values.OrderBy(t => t.Id), main, queue, running, nextTasklet);
    }

    /// <summary>The passes after Create over every heap entry, in order (PickledKind says what each is for).</summary>
    private enum Pass { Fill, Finish, Settle }

    private void HeapPass(Pass pass)
    {
        for (int i = 0; i < _objects.Length; i++)
        {
            // Resolve made every entry's object, so each is a JSON object.
            var entry = (PObject)_heap[i];
            _current = entry;
            var kind = _kinds[i];
            var target = _objects[i]!;
            switch (pass)
            {
                case Pass.Fill: kind.Fill(this, target, entry); break;
                case Pass.Finish: kind.Finish(this, target, entry); break;
                default: kind.Settle(this, target, entry); break;
            }
        }
    }

    private List<(PyModule Module, PObject Globals)> ReadModules(PArray entries)
    {
        var globals = new List<(PyModule, PObject)>();
        foreach (var token in entries)
        {
            var entry = Obj(token);
            NoTypeMetadata(entry);
            var name = Str(Required(entry, "name"));
            if (_vm.Modules.ContainsKey(name)) throw Bad(entry["name"]!, $"module '{name}' appears twice");
            if (entry["builtin"] is { } builtin && Bool(builtin))
            {
                _vm.Modules[name] = Builtins.BuiltinFunctions.Modules.GetValueOrDefault(name)
                    ?? throw Bad(entry["name"]!, $"there is no built-in module '{name}'");
                continue;
            }
            if (name == Builtins.Prelude.ModuleName) throw Bad(entry["name"]!, "the built-ins module is not pickled");
            var code = _program.Module(name) ?? throw Bad(entry["name"]!, $"the program has no module '{name}'");
            var module = new PyModule(name, code.FileName) { Code = code };
            _vm.Modules[name] = module;
            if (entry["defs"] is { } defs)
            {
                if (defs.Type == PickleJsonType.String)
                {
                    if (Str(defs) != ModuleDefs.All) throw Bad(defs, $"\"defs\" is a list of names or \"{ModuleDefs.All}\"");
                    foreach (var def in ModuleDefs.TopLevelNames(code)) module.Globals[def] = OwnDef(name + ":" + def, defs);
                }
                else
                {
                    foreach (var def in Arr(defs)) module.Globals[Str(def)] = OwnDef(name + ":" + Str(def), def);
                }
            }
            globals.Add((module, entry["globals"] is { } g ? Obj(g) : new PObject()));
        }
        if (!_vm.Modules.ContainsKey("__main__")) throw Bad(entries, "the pickle has no __main__ module");
        return globals;
    }

    // ------------------------------------------------------------------------------ tasklets and frames

    private void ReadTasklet(PObject entry)
    {
        _current = entry;
        var t = _tasklets[Int(entry["id"]!, 1, int.MaxValue)];
        if (entry["blockedOn"] is { } on) t.BlockedOn = Str(on);
        if (entry["receiving"] is { } receiving)
        {
            t.Receiving = Str(receiving) switch
            {
                "loop" => ReceiveMode.Loop,
                "next" => ReceiveMode.Next,
                var other => throw Bad(receiving, $"unknown receive mode '{other}'"),
            };
        }
        if (entry["resume"] is { } resume)
        {
            // A for loop over a channel that was closed wakes with end_of_iteration (checked in CheckPosition).
            t.ResumeValue = AnyValue(resume);
            if (StackCheck.IsInternal(t.ResumeValue) && t.ResumeValue != PyChannel.EndOfIteration) throw Bad(resume, $"a tasklet cannot resume with a {StackCheck.InternalName(t.ResumeValue)}");
        }
        if (entry["resumeError"] is { } resumeError) t.ResumeError = Exception(resumeError);
        if (entry["handled"] is { } handled) t.HandledException = Exception(handled);
        if (entry["result"] is { } result) t.Result = Value(result);
        if (entry["error"] is { } error) t.Error = Exception(error);
        if (entry["errorObserved"] is { } observed) t.ErrorObserved = Bool(observed);
        if (entry["awaiters"] is { } awaiters)
        {
            t.Awaiters = new List<Tasklet>();
            foreach (var a in Arr(awaiters)) t.Awaiters.Add(BlockedTasklet(a, "await"));
        }

        bool done = t.State is TaskletState.Completed or TaskletState.Failed;
        if (t.State == TaskletState.Completed && t.Result == null) throw Bad(entry, "a completed tasklet needs a result");
        if (t.State == TaskletState.Failed && t.Error == null) throw Bad(entry, "a failed tasklet needs an error");
        var frames = entry["frames"];
        if (done)
        {
            if (frames != null) throw Bad(frames, "a finished tasklet has no frames");
            return;
        }
        if (frames == null || Arr(frames).Count == 0) throw Bad(entry, "a tasklet that has not finished needs frames");
        bool pending = t.State == TaskletState.Blocked || t.ResumeValue != null || t.ResumeError != null;
        if (t.State == TaskletState.Blocked && (t.ResumeValue != null || t.ResumeError != null))
            throw Bad(entry, "a blocked tasklet cannot have a value to resume with");
        if (t.ResumeValue != null && t.ResumeError != null) throw Bad(entry, "a tasklet resumes with a value or an error, not both");
        t.Top = ReadChain(Arr(frames), pending, t);
    }

    // ------------------------------------------------------------------------------ heap objects

    [MethodImpl(AggressiveOptimization)]
    internal object ResolveRef(PNode token)
    {
        if (token is PObject { Count: 1 } o && o["ref"] is { } index) return Resolve(Int(index, 0, _heap.Count - 1), _heap[Int(index, 0, _heap.Count - 1)]);
        throw Bad(token, "expected a reference to a heap entry");
    }

    /// <summary>
    /// Creates heap entry [index], first creating the entries its constructor needs, recursively.
    /// Those chains are as long as the script made them (a class deriving from a class deriving
    /// from…, `it = enumerate(it)` in a loop), so they are limited to ValueNesting.MaxDepth
    /// entries; a longer one fails the pickle with a message instead of the worker with its stack.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private object Resolve(int index, PNode entryToken)
    {
        if (_objects[index] is { } made) return made;
        if (_creating[index]) throw Bad(entryToken, "this object is needed to build itself (a cycle the pickler never writes)");
        if (_building >= ValueNesting.MaxDepth)
            throw Bad(entryToken, $"objects nest too deeply to rebuild: more than {ValueNesting.MaxDepth:N0} that each need the next one to be built first (a class's base, an iterator's source)");
        RuntimeHelpers.EnsureSufficientExecutionStack();
        _creating[index] = true;
        _building++;
        var saved = _current;
        _current = entryToken;
        var created = CreateObject(index, Obj(entryToken));
        _current = saved;
        _building--;
        _creating[index] = false;
        return _objects[index] = created;
    }

    /// <summary>Finds the entry's kind in the closed table (PickledKinds) and creates its object.</summary>
    [MethodImpl(AggressiveOptimization)]
    private object CreateObject(int index, PObject e)
    {
        NoTypeMetadata(e);
        var kind = PickledKinds.Of(e);
        _kinds[index] = kind;
        return kind.Create(this, e);
    }

    // ------------------------------------------------------------------------------ for the kinds

    /// <summary>What is being read, for errors the interpreter's code raises (a dict key that cannot be hashed).</summary>
    internal void At(PNode token) => _current = token;

    internal void FillArray(object[] target, PArray items)
    {
        if (items.Count != target.Length) throw Bad(items, $"expected {target.Length} items");
        for (int i = 0; i < target.Length; i++) target[i] = Value(items[i]);
    }

    internal void FillNames(Dictionary<string, object> target, PNode names)
    {
        foreach (var (name, value) in Obj(names)) target[name] = Value(value!);
    }
}
