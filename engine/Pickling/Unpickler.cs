using System.Numerics;
using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// Rebuilds an instance from a pickle (see Pickler for the layout) into a fresh VM. It builds
/// only the language's own kinds, from the closed table in CreateObject, and checks everything it
/// reads: JSON shape, references, that each frame's function and resume site exist in the program
/// recompiled from source, and that frame chains and operand stacks are ones the interpreter could
/// have left. Anything else is refused with a PickleException naming the path inside the pickle.
/// </summary>
/// <remarks>
/// Heap objects are made in two passes: first every object is created (only the references a
/// constructor needs are resolved then, such as a class's base), then their contents are filled
/// in; dict entries come last because hashing a tuple key needs the tuple's items.
/// </remarks>
internal sealed class Unpickler
{
    private readonly ProgramCode _program;
    private readonly Interpreter _vm;
    private PArray _heap = new();
    private object?[] _objects = Array.Empty<object>();
    /// <summary>How many heap entries Resolve is creating at once, each waiting for the next.</summary>
    private int _building;
    private bool[] _creating = Array.Empty<bool>();
    private readonly Dictionary<int, Tasklet> _tasklets = new();
    private readonly List<(PyDict Dict, PArray Items)> _dicts = new();
    private readonly List<(DictIterator Iterator, PObject Entry)> _dictIterators = new();
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
        _creating = new bool[_heap.Count];
        for (int i = 0; i < _heap.Count; i++) Resolve(i, _heap[i]);
        for (int i = 0; i < _heap.Count; i++) Fill(_objects[i]!, Obj(_heap[i]));
        for (int i = 0; i < _heap.Count; i++) CheckReceiver(_objects[i]!, Obj(_heap[i]));
        foreach (var (module, globals) in moduleGlobals)
            foreach (var (name, value) in globals)
                module.Globals[name] = Value(value!);
        foreach (var (dict, items) in _dicts) FillDict(dict, items);
        foreach (var (iterator, entry) in _dictIterators)
        {
            var changed = entry["changed"] is { } c && Bool(c);
            iterator.Restore(Int(Required(entry, "index"), 0, int.MaxValue),
                changed ? iterator.Dict.VersionOtherThan(iterator.Dict.Version) : iterator.Dict.Version,
                Int(Required(entry, "count"), 0, int.MaxValue));
        }

        foreach (var entry in taskletEntries) ReadTasklet(Obj(entry));
        foreach (var (frame, token) in _stackChecks)
        {
            _current = token;
            CheckStack(frame, token);
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
            if (IsInternal(t.ResumeValue) && t.ResumeValue != PyChannel.EndOfIteration) throw Bad(resume, $"a tasklet cannot resume with a {InternalName(t.ResumeValue)}");
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

    /// <summary>Builds a tasklet's chain (outermost first), checking each link is one the interpreter makes.</summary>
    private Frame ReadChain(PArray frames, bool resumePending, Tasklet t)
    {
        Frame? parent = null;
        for (int i = 0; i < frames.Count; i++)
        {
            var token = Obj(frames[i]);
            NoTypeMetadata(token);
            Frame frame;
            if (token["generator"] is { } generatorRef)
            {
                var g = Value(generatorRef) as PyGenerator ?? throw Bad(generatorRef, "expected a generator");
                if (!g.Running || g.Finished) throw Bad(generatorRef, "a generator on a frame chain must be running");
                if (!_chained.Add(g)) throw Bad(generatorRef, "the generator is on two frame chains");
                if (parent == null) throw Bad(token, "a generator's frame cannot be a tasklet's first frame");
                if (g.Frame.ReturnKind is not (ReturnKind.ForIter or ReturnKind.YieldFrom or ReturnKind.Next or ReturnKind.Close))
                    throw Bad(generatorRef, "a running generator was resumed by a for loop, yield from, next() or a loop closing it");
                frame = g.Frame;
            }
            else
            {
                frame = CreateFrame(token);
                // A generator function's code runs only in its generator's frame, which YieldValue hands back to the generator.
                if (frame.Code.IsGenerator) throw Bad(token, $"{frame.Code.QualifiedName} is a generator function: its frame is pickled with its generator");
                FillFrame(frame, token);
                if (frame.ReturnKind == ReturnKind.Next) throw Bad(token, "only a generator's frame returns to next()");
                if (frame.ReturnKind == ReturnKind.Close) throw Bad(token, "only a generator's frame is closed by its loop");
                if (parent == null && frame.ReturnKind != ReturnKind.Call) throw Bad(token, "a tasklet's first frame must be a call");
            }
            bool top = i == frames.Count - 1;
            CheckPosition(frame, frames[i], top, top && resumePending, t);
            if (parent != null)
            {
                CheckLink(parent, frame, frames[i]);
                frame.Parent = parent;
                frame.Depth = parent.Depth + 1;
                if (frame.Depth > _vm.Options.MaxDepth) throw Bad(frames[i], "the frame chain is deeper than the interpreter allows");
            }
            parent = frame;
        }
        return parent!;
    }

    /// <summary>
    /// A frame is at its function's entry with an empty stack, or at a resume site with the site's
    /// stack: minus the result it waits for when it is not the top frame or its tasklet will be
    /// resumed with a value (or an error), complete otherwise.
    /// </summary>
    private void CheckPosition(Frame frame, PNode token, bool top, bool resumePending, Tasklet t)
    {
        if (frame.Ip == 0 && frame.Sp == 0 && IsEntry(frame))
        {
            if (!top || resumePending) throw Bad(token, "a frame that has not started must be the top frame, with nothing to resume with");
            return;
        }
        var site = SiteOf(frame, token);
        bool waitsForValue = !top || resumePending;
        if (frame.Sp != site.StackDepth - (waitsForValue ? 1 : 0))
            throw Bad(token, $"the operand stack has {frame.Sp} values; resume site {site.Name} needs {site.StackDepth - (waitsForValue ? 1 : 0)}");
        if (waitsForValue && site.Kind == SiteKind.LoopBack) throw Bad(token, "a loop's back-edge does not wait for a value");
        if (top && t.ResumeValue == PyChannel.EndOfIteration && site.Kind != SiteKind.ForStep)
            throw Bad(token, "only a for loop over a channel resumes with end_of_iteration");
        // Closing the channel wakes a receiver waiting as a loop with end_of_iteration, which leaves the loop its ForIter names.
        if (top && t.State == TaskletState.Blocked && t.Receiving == ReceiveMode.Loop && site.Kind != SiteKind.ForStep)
            throw Bad(token, "only a for loop over a channel waits to receive as a loop");
    }

    /// <summary>The return kind of [child] must match the instruction its parent is stopped at.</summary>
    private void CheckLink(Frame parent, Frame child, PNode token)
    {
        var site = parent.Code.ResumeSiteAt(parent.Ip, parent.Sp)!;
        var op = (OpCode)(parent.Code.Instructions[site.Instruction] & 0xFF);
        bool ok = child.ReturnKind switch
        {
            ReturnKind.ForIter => site.Kind == SiteKind.ForStep,
            ReturnKind.YieldFrom => site.Kind == SiteKind.YieldFrom,
            ReturnKind.ForIterNext => site.Kind is SiteKind.ForStep or SiteKind.YieldFrom,
            ReturnKind.ClassBody => site.Kind == SiteKind.ClassBody,
            ReturnKind.Import => site.Kind == SiteKind.Import,
            // Every other safe point waits for a frame it called (a function, or a dunder method through the prelude).
            _ => site.Kind is not (SiteKind.Await or SiteKind.Yield or SiteKind.LoopBack or SiteKind.ForStep or SiteKind.YieldFrom
                or SiteKind.ClassBody or SiteKind.Import),
        };
        if (!ok) throw Bad(token, $"a frame that returns as '{Pickler.ReturnKindName(child.ReturnKind)}' cannot be called from a {op} instruction");
    }

    private bool IsEntry(Frame frame) => _entryFrames.Contains(frame);

    /// <summary>
    /// The resume site a frame's "site" names: format 2 writes its kind and its ordinal among the
    /// function's sites of that kind ("call#2", "call" for "call#0": SiteNames), format 1 its ordinal among all sites of the kinds
    /// format 1 had (PickleFormat).
    /// </summary>
    private ResumeSite SiteNamed(CodeObject code, PNode token)
    {
        if (_format == 1)
        {
            if (token.Type == PickleJsonType.String) throw Bad(token, "a format-1 site is a number or \"entry\"");
            int ordinal1 = Int(token, 0, int.MaxValue);
            return code.ResumeSiteOfFormat1(ordinal1) ?? throw Bad(token, $"{code.QualifiedName} has no format-1 resume site {ordinal1}");
        }
        var name = token.Type == PickleJsonType.String ? Str(token) : throw Bad(token, "a site is \"kind#ordinal\", \"kind\" or \"entry\"");
        if (!SiteNames.TryParse(name, out var kind, out int ordinal))
            throw Bad(token, $"'{name}' is not a resume site (\"kind#ordinal\" such as \"call#2\", or \"kind\" for \"kind#0\")");
        return code.ResumeSiteNamed(kind, ordinal) ?? throw Bad(token, $"{code.QualifiedName} has no resume site {name}");
    }

    private ResumeSite SiteOf(Frame frame, PNode token) =>
        frame.Code.ResumeSiteAt(frame.Ip, frame.Sp) ?? frame.Code.ResumeSiteAt(frame.Ip, frame.Sp - 1)
        ?? throw Bad(token, "the frame is not at a resume site of its function");

    private CodeObject CodeOf(PObject token, string key)
    {
        var module = token["module"] is { } m ? Str(m) : "__main__";
        var nameToken = Required(token, key);
        var name = Str(nameToken);
        return _program.Function(module, name) ?? throw Bad(nameToken, $"the program has no function '{name}' in module '{module}'");
    }

    private PyModule ModuleOf(CodeObject code, PNode token)
    {
        if (code.ModuleName == Builtins.Prelude.ModuleName) return _vm.PreludeModule;
        return _vm.Modules.GetValueOrDefault(code.ModuleName) ?? throw Bad(token, $"module '{code.ModuleName}' is not in the pickle's modules");
    }

    /// <summary>Makes a frame with its code, module and cells; its variables and stack come in FillFrame.</summary>
    private Frame CreateFrame(PObject token)
    {
        NoTypeMetadata(token);
        var code = CodeOf(token, "function");
        var frame = new Frame(code, ModuleOf(code, token), null);
        int cellCount = code.CellNames.Length + code.FreeNames.Length;
        var cells = token["cells"] as PObject;
        if (cellCount > 0 && cells == null) throw Bad(token, $"{code.QualifiedName} needs its cells");
        if (cells != null)
        {
            if (cells.Count != cellCount) throw Bad(cells, $"{code.QualifiedName} has {cellCount} cells, not {cells.Count}");
            for (int i = 0; i < cellCount; i++)
            {
                var name = i < code.CellNames.Length ? code.CellNames[i] : code.FreeNames[i - code.CellNames.Length];
                var cellToken = cells[name] ?? throw Bad(cells, $"missing cell '{name}'");
                frame.Cells[i] = ResolveRef(cellToken) as Cell ?? throw Bad(cellToken, "expected a cell");
            }
        }
        var siteToken = Required(token, "site");
        if (siteToken.Type == PickleJsonType.String && Str(siteToken) == "entry")
        {
            frame.Ip = 0;
            _entryFrames.Add(frame);
        }
        else
        {
            frame.Ip = SiteNamed(code, siteToken).Offset;
        }
        if (token["return"] is { } kind)
        {
            frame.ReturnKind = Str(kind) switch
            {
                "call" => ReturnKind.Call,
                "init" => ReturnKind.Init,
                "class_body" => ReturnKind.ClassBody,
                "import" => ReturnKind.Import,
                "for_iter" => ReturnKind.ForIter,
                "yield_from" => ReturnKind.YieldFrom,
                "next" => ReturnKind.Next,
                "for_iter_next" => ReturnKind.ForIterNext,
                "close" => ReturnKind.Close,
                var other => throw Bad(kind, $"unknown return kind '{other}'"),
            };
        }
        return frame;
    }

    private void FillFrame(Frame frame, PObject token)
    {
        var code = frame.Code;
        if (token["locals"] is { } locals)
        {
            foreach (var (name, value) in Obj(locals))
            {
                int slot = code.LocalSlot(name);
                if (slot < 0) throw Bad(value!, $"{code.QualifiedName} has no local variable '{name}'");
                frame.Locals[slot] = Value(value!);
            }
        }
        if (token["stack"] is { } stack)
        {
            var items = Arr(stack);
            if (items.Count > code.MaxStack) throw Bad(stack, $"{code.QualifiedName}'s stack holds at most {code.MaxStack} values");
            // Checked against the code's stack shapes once every object is filled in (CheckStack).
            for (int i = 0; i < items.Count; i++) frame.Stack[i] = AnyValue(items[i]);
            frame.Sp = items.Count;
            _stackChecks.Add((frame, token));
        }
        if (token["namespace"] is { } ns)
        {
            frame.Namespace = new Dictionary<string, object>();
            foreach (var (name, value) in Obj(ns)) frame.Namespace[name] = Value(value!);
        }
        if (token["extra"] is { } extra) frame.Extra = Value(extra);
        if (token["nextDefault"] is { } nextDefault) frame.NextDefault = Value(nextDefault);

        bool extraOk = frame.ReturnKind switch
        {
            ReturnKind.Init => frame.Extra is PyInstance,
            ReturnKind.ClassBody => frame.Namespace != null && frame.Extra is PyTuple { Items: [string, PyTuple] },
            ReturnKind.Import => frame.Extra is PyModule,
            _ => frame.Extra == null,
        };
        if (!extraOk) throw Bad(token, $"the frame's 'extra' does not fit its return kind '{Pickler.ReturnKindName(frame.ReturnKind)}'");
        if (frame.ReturnKind != ReturnKind.ClassBody && frame.Namespace != null) throw Bad(token, "only a class body has a namespace");
        if (frame.NextDefault != null && frame.ReturnKind != ReturnKind.Next) throw Bad(token, "only a frame resumed by next() has a default");
    }

    // ------------------------------------------------------------------------------ heap objects

    [MethodImpl(AggressiveOptimization)]
    private object ResolveRef(PNode token)
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
        var created = CreateObject(Obj(entryToken));
        _current = saved;
        _building--;
        _creating[index] = false;
        return _objects[index] = created;
    }

    /// <summary>The closed table of heap kinds. References a constructor needs are resolved here; the rest in Fill.</summary>
    [MethodImpl(AggressiveOptimization)]
    private object CreateObject(PObject e)
    {
        NoTypeMetadata(e);
        var kindToken = e["kind"] ?? CompactKind(e) ?? (IsFuture(e) ? FutureKindName : null) ?? throw Bad(e, "missing \"kind\"");
        switch (Str(kindToken))
        {
            case "list": return new PyList();
            case "tuple": return new PyTuple(new object[Arr(ItemsOf(e)).Count]);
            case "dict": return new PyDict();
            case "cell": return new Cell();
            case "instance": return new PyInstance(BuiltinTypes.Object);
            case "exception": return new PyException(ExceptionTypes.Exception, PyTuple.Empty);
            case "class":
                {
                    var baseToken = Required(e, "base");
                    var baseClass = Value(baseToken) as PyClass ?? throw Bad(baseToken, "a class's base must be a class");
                    if (baseClass.NativeConstructor != null && baseClass != BuiltinTypes.Object)
                        throw Bad(baseToken, $"a class cannot derive from the built-in type '{baseClass.Name}'");
                    return new PyClass(Str(Required(e, "name")), baseClass);
                }
            case "function":
                {
                    var code = CodeOf(e, "code");
                    if (code.IsClassBody && code.QualifiedName == "<module>") throw Bad(e, "a module's code is not a function");
                    var closure = e["closure"] is { } c ? Arr(c).Select(cell => ResolveRef(cell) as Cell ?? throw Bad(cell, "expected a cell")).ToArray() : Array.Empty<Cell>();
                    if (closure.Length != code.FreeNames.Length) throw Bad(e, $"{code.QualifiedName} closes over {code.FreeNames.Length} variables, not {closure.Length}");
                    var defaults = e["defaults"] is { } d ? new object[Arr(d).Count] : Array.Empty<object>();
                    if (defaults.Length > code.PositionalCount) throw Bad(e, "more defaults than positional parameters");
                    var kwDefaults = e["kwdefaults"] != null ? new Dictionary<string, object>() : null;
                    return new PyFunction(code, ModuleOf(code, e), defaults, kwDefaults, closure);
                }
            case "code": return CodeOf(e, "code");
            case "shared":
                {
                    // A string, float or big int held by several places: one object for all of them.
                    var valueToken = e["shared"] ?? throw Bad(e, "missing \"shared\"");
                    // A string entry is an object of its own, never the one its inline equals share.
                    var value = valueToken.Type == PickleJsonType.String ? (string)valueToken
                        : LoneSurrogateText(valueToken) ?? ScalarOrTagged(valueToken);
                    return value is string or double or BigInteger ? value : throw Bad(valueToken, "only a string, a float or a big int is a shared heap entry");
                }
            case "bound_method":
                return new BoundMethod(Value(Required(e, "self")), Value(Required(e, "function")) as PyFunction ?? throw Bad(e["function"]!, "expected a function"));
            case "bound_native":
                return new BoundNativeMethod(Value(Required(e, "self")), Str(Required(e, "name")),
                    AnyValue(Required(e, "method")) as NativeMethod ?? throw Bad(e["method"]!, "expected a method of a built-in type"));
            case "super":
                return new PySuper(Value(Required(e, "class")) as PyClass ?? throw Bad(e["class"]!, "expected a class"), Value(Required(e, "self")));
            case "generator":
                {
                    Frame frame;
                    if (e["frame"] is { } frameToken)
                    {
                        frame = CreateFrame(Obj(frameToken));
                    }
                    else
                    {
                        // A finished generator keeps only its function's name, for repr().
                        var code = CodeOf(e, "function");
                        frame = new Frame(code, ModuleOf(code, e), null);
                    }
                    if (!frame.Code.IsGenerator) throw Bad(e, $"{frame.Code.QualifiedName} is not a generator function");
                    var g = new PyGenerator(frame);
                    frame.Generator = g;
                    return g;
                }
            case "channel": return new PyChannel(Int(Required(e, "capacity"), 0, int.MaxValue));
            case "future":
                {
                    var sequence = Int(Required(e, "sequence"), 1, int.MaxValue);
                    if (e["signal"] is { } signalName) return new PyFuture(FutureKind.Signal, Str(signalName), sequence);
                    if (e["activity"] is { } activityName) return new PyFuture(FutureKind.Activity, Str(activityName), sequence);
                    if (e["child"] is { } childName) return new PyFuture(FutureKind.Child, Str(childName), sequence);
                    if (e["timer"] is { } due) return new PyFuture(FutureKind.Timer, "", sequence, Long(due, 0) / 1000.0);
                    // Parts are filled in by Fill, once every heap entry exists.
                    if (e["gather"] is { } gatherParts) return new PyFuture(FutureKind.Gather, "", sequence, parts: new PyFuture[Arr(gatherParts).Count]);
                    if (e["first"] is { } firstParts) return new PyFuture(FutureKind.First, "", sequence, parts: new PyFuture[Arr(firstParts).Count]);
                    var kind = Str(Required(e, "type")) switch
                    {
                        "signal" => FutureKind.Signal,
                        var other => throw Bad(e["type"]!, $"unknown future type '{other}'"),
                    };
                    return new PyFuture(kind, Str(Required(e, "name")), Int(Required(e, "sequence"), 1, int.MaxValue));
                }
            case "channel_iterator":
                return new ChannelIterator(Value(Required(e, "channel")) as PyChannel ?? throw Bad(e["channel"]!, "expected a channel"));
            case "list_iterator":
                return new ListIterator(ListOf(e, "list")) { Index = Int(Required(e, "index"), 0, int.MaxValue) };
            case "list_reverseiterator":
                return new ListReverseIterator(ListOf(e, "list")) { Index = Int(Required(e, "index"), -1, int.MaxValue) };
            case "tuple_iterator":
                return new TupleIterator(new object[Arr(Required(e, "items")).Count], OptionalBool(e, "reversed"), ReverseTypeName(e)) { Index = Int(Required(e, "index"), -1, int.MaxValue) };
            case "str_iterator":
                return new StrIterator(Value(Required(e, "text")) as string ?? throw Bad(e, "an iterator's text is a string")) { Index = Int(Required(e, "index"), 0, int.MaxValue) };
            case "range_iterator":
                return new RangeIterator(Value(Required(e, "range")) as PyRange ?? throw Bad(e["range"]!, "expected a range"), OptionalBool(e, "reversed"))
                {
                    Index = Long(Required(e, "index"), 0),
                };
            case "dict_iterator":
                {
                    var iterator = new DictIterator(DictOf(e), View(e));
                    _dictIterators.Add((iterator, e));
                    return iterator;
                }
            case "dict_view": return new DictView(DictOf(e), View(e));
            case "enumerate": return new EnumerateIterator(Value(Required(e, "inner")), Value(Required(e, "count")));
            case "zip": return new ZipIterator(new object[Arr(Required(e, "inner")).Count], OptionalBool(e, "strict")) { Done = OptionalBool(e, "done") };
            case "map": return new MapIterator(Value(Required(e, "function")), new object[Arr(Required(e, "inner")).Count]);
            case "filter": return new FilterIterator(Value(Required(e, "function")), Value(Required(e, "inner")));
            case "sequence_iterator":
                return new SequenceIterator(Value(Required(e, "target")) as PyInstance ?? throw Bad(e["target"]!, "expected an instance"))
                {
                    Index = Long(Required(e, "index"), -1),
                };
            case "range":
                {
                    var step = RangeBound(e, "step");
                    if (step.IsZero) throw Bad(e["step"]!, "a range's step cannot be zero");
                    return PyRange.Of(RangeBound(e, "start"), RangeBound(e, "stop"), step);
                }
            case "slice": return new PySlice(Value(Required(e, "start")), Value(Required(e, "stop")), Value(Required(e, "step")));
            case var other:
                throw Bad(kindToken, $"unknown kind '{other}'");
        }
    }

    private static readonly PValue FutureKindName = new(PickleJsonType.String, "future");

    private static readonly string[] FutureKeys = { "signal", "activity", "child", "timer", "gather", "first" };

    /// <summary>Futures are written compactly, their type as the key: {"activity": name, "sequence": n}.</summary>
    private static bool IsFuture(PObject e)
    {
        foreach (var key in FutureKeys)
            if (e[key] != null) return true;
        return false;
    }

    private static readonly PValue[] CompactKinds =
        { new(PickleJsonType.String, "list"), new(PickleJsonType.String, "tuple"), new(PickleJsonType.String, "dict"), new(PickleJsonType.String, "shared") };

    /// <summary>Lists, tuples and dicts, the commonest entries, are written `{"list": [items]}`, and shared strings, floats and big ints `{"shared": v}`: the kind, or null for another shape.</summary>
    private static PNode? CompactKind(PObject e)
    {
        if (e.Count != 1) return null;
        foreach (var kind in CompactKinds)
            if (e[(string)kind] != null) return kind;
        return null;
    }

    /// <summary>A list's, tuple's or dict's items: under "items", or the one value of the compact form.</summary>
    private static PNode ItemsOf(PObject e) =>
        e["items"] ?? (CompactKind(e) is { } kind ? e[(string)kind]! : throw Bad(e, "missing \"items\""));

    /// <summary>Fills in an object's contents once every object exists.</summary>
    private void Fill(object target, PObject e)
    {
        _current = e;
        switch (target)
        {
            case PyList list:
                foreach (var item in Arr(ItemsOf(e))) list.Items.Add(Value(item));
                break;
            case PyTuple tuple:
                FillArray(tuple.Items, Arr(ItemsOf(e)));
                break;
            case PyDict dict:
                _dicts.Add((dict, Arr(ItemsOf(e))));
                break;
            case Cell cell:
                if (e["value"] is { } v) cell.Value = Value(v);
                break;
            case PyException ex:
                {
                    var cls = Value(Required(e, "class")) as PyClass;
                    if (cls is not { IsException: true }) throw Bad(e["class"]!, "an exception's class must derive from BaseException");
                    ex.Class = cls;
                    ex.Args = new PyTuple(Arr(Required(e, "args")).Select(Value).ToArray());
                    if (e["attrs"] is { } attrs) FillNames(ex.Attributes, attrs);
                    if (e["traceback"] is { } traceback)
                    {
                        foreach (var line in Arr(traceback))
                        {
                            var parts = Arr(line);
                            if (parts.Count != 3) throw Bad(line, "a traceback line is [file, line, function]");
                            ex.Traceback.Add(new TracebackEntry(Str(parts[0]), Int(parts[1], 0, int.MaxValue), Str(parts[2])));
                        }
                    }
                    if (e["context"] is { } context) ex.Context = Exception(context);
                    if (e["cause"] is { } cause) ex.Cause = Exception(cause);
                    ex.SuppressContext = OptionalBool(e, "suppressContext");
                    break;
                }
            case PyInstance inst:
                {
                    var cls = Value(Required(e, "class")) as PyClass ?? throw Bad(e["class"]!, "an instance's class must be a class");
                    if (cls.IsException) throw Bad(e["class"]!, "an instance of an exception class is pickled as an exception");
                    if (cls.NativeConstructor != null && cls != BuiltinTypes.Object) throw Bad(e["class"]!, $"'{cls.Name}' values are not pickled as instances");
                    inst.Class = cls;
                    FillNames(inst.Attributes, Required(e, "attrs"));
                    break;
                }
            case PyClass cls:
                FillNames(cls.Dict, Required(e, "dict"));
                break;
            case PyFunction fn:
                if (e["defaults"] is { } defaults) FillArray(fn.Defaults, Arr(defaults));
                if (e["kwdefaults"] is { } kwDefaults) FillNames(fn.KwDefaults!, kwDefaults);
                break;
            case PyGenerator g:
                g.Started = OptionalBool(e, "started");
                g.Running = OptionalBool(e, "running");
                g.Unshared = OptionalBool(e, "unshared");
                g.Finished = OptionalBool(e, "finished");
                if (e["handled"] is { } handled) g.HandledException = Exception(handled);
                if (e["callerHandled"] is { } callerHandled) g.CallerHandledException = Exception(callerHandled);
                if (g.Finished)
                {
                    if (e["frame"] != null || g.Running) throw Bad(e, "a finished generator has no frame and is not running");
                    break;
                }
                var frameToken = Obj(e["frame"] ?? throw Bad(e, "a generator that has not finished needs its frame"));
                FillFrame(g.Frame, frameToken);
                if (!g.Running)
                {
                    // Suspended: not started (at its entry), or after a yield with the sent value to come.
                    if (!g.Started)
                    {
                        if (g.Frame.Ip != 0 || g.Frame.Sp != 0 || !IsEntry(g.Frame)) throw Bad(frameToken, "a generator that has not started is at its entry");
                    }
                    else
                    {
                        var site = SiteOf(g.Frame, frameToken);
                        if ((OpCode)(g.Frame.Code.Instructions[site.Instruction] & 0xFF) != OpCode.YieldValue || g.Frame.Sp != site.StackDepth - 1)
                            throw Bad(frameToken, "a suspended generator is stopped at a yield");
                    }
                }
                else if (!g.Started)
                {
                    throw Bad(e, "a running generator has started");
                }
                break;
            case PyChannel ch:
                ch.Closed = OptionalBool(e, "closed");
                if (e["buffer"] is { } buffer)
                    foreach (var item in Arr(buffer)) ch.Buffer.Enqueue(Value(item));
                if (e["senders"] is { } senders)
                {
                    foreach (var s in Arr(senders))
                    {
                        var sender = Obj(s);
                        NoTypeMetadata(sender);
                        ch.Senders.Enqueue((BlockedTasklet(Required(sender, "tasklet"), "send"), Value(Required(sender, "value"))));
                    }
                }
                if (e["receivers"] is { } receivers)
                    foreach (var r in Arr(receivers)) ch.Receivers.Enqueue(BlockedTasklet(r, "receive"));
                break;
            case PyFuture future:
                {
                    var stateToken = e["state"] ?? new PValue(PickleJsonType.String, "pending");
                    future.State = Str(stateToken) switch
                    {
                        "pending" => FutureState.Pending,
                        "resolved" => FutureState.Resolved,
                        "failed" => FutureState.Failed,
                        var other => throw Bad(stateToken, $"unknown future state '{other}'"),
                    };
                    if (e["value"] is { } value) future.Value = Value(value);
                    if (e["error"] is { } error) future.Error = Exception(error);
                    if (future.State == FutureState.Resolved && future.Value == null) throw Bad(e, "a resolved future needs its value");
                    if (future.State == FutureState.Failed && future.Error == null) throw Bad(e, "a failed future needs its error");
                    if (future.Parts is { } parts)
                    {
                        var partTokens = Arr(e[future.Kind == FutureKind.Gather ? "gather" : "first"]!);
                        for (int i = 0; i < parts.Length; i++)
                        {
                            parts[i] = Value(partTokens[i]) as PyFuture ?? throw Bad(partTokens[i], "expected a future");
                            if (parts[i] == future) throw Bad(partTokens[i], "a future cannot combine itself");
                        }
                        if (future.IsPending)
                        {
                            if (!parts.Any(p => p.IsPending)) throw Bad(e, "a pending combined future needs a pending part");
                            foreach (var part in parts)
                                if (part.IsPending) (part.Dependents ??= new List<PyFuture>()).Add(future);
                        }
                    }
                    if (e["awaiters"] is { } awaiters)
                    {
                        if (future.State != FutureState.Pending) throw Bad(awaiters, "only a pending future has awaiters");
                        foreach (var a in Arr(awaiters)) future.Awaiters.Add(BlockedTasklet(a, future.Description));
                    }
                    break;
                }
            case TupleIterator ti:
                FillArray(ti.Items, Arr(e["items"]!));
                break;
            case ZipIterator zi:
                FillArray(zi.Inner, Arr(e["inner"]!));
                break;
            case MapIterator mi:
                FillArray(mi.Inner, Arr(e["inner"]!));
                break;
        }
    }

    private void FillDict(PyDict dict, PArray items)
    {
        foreach (var itemToken in items)
        {
            _current = itemToken;
            var item = Arr(itemToken);
            if (item.Count is not (2 or 3)) throw Bad(itemToken, "a dict item is [key, value] or [key, value, hash]");
            var key = Value(item[0]);
            var value = Value(item[1]);
            long hash;
            if (item.Count == 3) hash = Long(item[2], long.MinValue);
            else if (DictKeys.NeedsScriptToHash(key)) throw Bad(itemToken, "a key hashed by its own __hash__ needs its hash in the pickle");
            else hash = Ops.Hash(key);
            dict.AppendRestored(key, value, hash);
        }
    }

    private void FillArray(object[] target, PArray items)
    {
        if (items.Count != target.Length) throw Bad(items, $"expected {target.Length} items");
        for (int i = 0; i < target.Length; i++) target[i] = Value(items[i]);
    }

    private void FillNames(Dictionary<string, object> target, PNode names)
    {
        foreach (var (name, value) in Obj(names)) target[name] = Value(value!);
    }

    // ------------------------------------------------------------------------------ values

    /// <summary>A value a script can hold (see IsInternal for the objects only the interpreter holds).</summary>
    [MethodImpl(AggressiveOptimization | AggressiveInlining)]
    private object Value(PNode token)
    {
        var value = AnyValue(token);
        if (IsInternal(value)) throw Bad(token, $"a {InternalName(value)} is not a value a script can hold");
        return value;
    }

    private static string InternalName(object value) => value switch
    {
        NativeMethod => "built-in type's unbound method",
        NoSelf => "no-receiver marker",
        CodeObject => "code object",
        Cell => "cell",
        _ => "channel's end-of-iteration marker",
    };

    /// <summary>A value: JSON null/bool/number/string, or a one-key object naming a heap entry or a built-in.</summary>
    [MethodImpl(AggressiveOptimization)]
    private object AnyValue(PNode token)
    {
        // A reference, the commonest value and the only one that leads to Resolve (which may come
        // back here for the next object of a chain), is read in this small frame.
        if (token is PObject { Count: 1 } o && o.FirstProperty is ("ref", { } inner))
        {
            int index = Int(inner, 0, _heap.Count - 1);
            return _objects[index] ?? Resolve(index, _heap[index]);
        }
        return ScalarOrTagged(token);
    }

    private object ScalarOrTagged(PNode token)
    {
        switch (token.Type)
        {
            case PickleJsonType.Null: return PyNone.Value;
            case PickleJsonType.Boolean: return Boxes.Bool((bool)token);
            case PickleJsonType.String: return InlineString((string)token!);
            case PickleJsonType.Integer:
                {
                    var raw = ((PValue)token).Value;
                    if (raw is long l) return Boxes.Int(l);
                    var big = raw is BigInteger b ? b : new BigInteger(Convert.ToDecimal(raw, System.Globalization.CultureInfo.InvariantCulture));
                    return big >= long.MinValue && big <= long.MaxValue ? Boxes.Int((long)big) : big;
                }
            case PickleJsonType.Object:
                break;
            default:
                throw Bad(token, $"a value cannot be a JSON {token.Type.ToString().ToLowerInvariant()}");
        }
        var o = (PObject)token;
        if (o.Count != 1) throw Bad(token, "a tagged value has exactly one key");
        var (tag, inner) = o.FirstProperty;
        if (inner == null) throw Bad(token, "a tagged value needs a value");
        switch (tag)
        {
            case "int":
                {
                    var digits = Str(inner);
                    if (digits.Length > 5000 || !BigInteger.TryParse(digits, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var big))
                        throw Bad(inner, "not an integer");
                    return big >= long.MinValue && big <= long.MaxValue ? Boxes.Int((long)big) : big;
                }
            case "float":
                return Str(inner) switch
                {
                    "nan" => double.NaN,
                    "inf" => double.PositiveInfinity,
                    "-inf" => double.NegativeInfinity,
                    var text when text.Length < 40 && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
                        && double.IsFinite(d) => d,
                    var other => throw Bad(inner, $"'{other}' is not a float"),
                };
            case "builtin":
                return BuiltinNames.TryGetFunction(Str(inner), out var function) ? function : throw Bad(inner, $"no built-in function '{Str(inner)}'");
            case "type":
                return BuiltinNames.TryGetType(Str(inner), out var type) ? type : throw Bad(inner, $"no built-in type '{Str(inner)}'");
            case "native":
                return BuiltinNames.TryGetNative(Str(inner), out var native) ? native : throw Bad(inner, $"no built-in method '{Str(inner)}'");
            case "const":
                return BuiltinNames.TryGetConstant(Str(inner), out var constant) ? constant : throw Bad(inner, $"no constant '{Str(inner)}'");
            case "module":
                {
                    var name = Str(inner);
                    if (name == Builtins.Prelude.ModuleName) return _vm.PreludeModule;
                    return _vm.Modules.GetValueOrDefault(name) ?? throw Bad(inner, $"module '{name}' is not in the pickle's modules");
                }
            case "tasklet":
                return TaskletRef(inner);
            case PickledText.Tag:
                return InlineString(LoneSurrogateText(token)!);
            case "def":
                return OwnDef(Str(inner).Contains(':') ? Str(inner) : "__main__:" + Str(inner), inner);
            default:
                throw Bad(token, $"unknown value tag '{tag}'");
        }
    }

    private readonly Dictionary<string, string> _inlineStrings = new(StringComparer.Ordinal);
    /// <summary>The values whose inline occurrences are each a string of its own ("separateStrings").</summary>
    private HashSet<string>? _separateStrings;

    /// <summary>The text of a {"utf16": hex} value (a str with a lone surrogate, see PickledText), a new object; null for another value.</summary>
    private static string? LoneSurrogateText(PNode token)
    {
        if (token is not PObject { Count: 1 } o || o.FirstProperty is not (PickledText.Tag, { } hex)) return null;
        return PickledText.FromHex(Str(hex)) ?? throw Bad(hex, "expected UTF-16 code units, four hex digits each");
    }

    /// <summary>Inline strings of equal value are one object, but for the values listed separate (Pickler.SharedValues says why).</summary>
    private string InlineString(string text)
    {
        if (_separateStrings != null && _separateStrings.Contains(text)) return text;
        if (_inlineStrings.TryGetValue(text, out var made)) return made;
        // The program's constant of that value (constants are interned), or a built-in's literal.
        if (string.IsInterned(text) is { } constant) text = constant;
        _inlineStrings[text] = text;
        return text;
    }

    private readonly Dictionary<string, PyFunction> _ownDefs = new();

    /// <summary>
    /// The function a module's top-level `def NAME` makes ("module:NAME"): one object per name, so
    /// every reference to it in the pickle gets the same function, which the module's global NAME holds.
    /// </summary>
    private PyFunction OwnDef(string qualified, PNode token)
    {
        if (_ownDefs.TryGetValue(qualified, out var made)) return made;
        int colon = qualified.IndexOf(':');
        var moduleName = qualified[..colon];
        var name = qualified[(colon + 1)..];
        var module = _vm.Modules.GetValueOrDefault(moduleName) ?? throw Bad(token, $"module '{moduleName}' is not in the pickle's modules");
        var code = _program.Function(moduleName, name);
        if (code == null || code.QualifiedName != code.Name || code.IsClassBody)
            throw Bad(token, $"the program has no top-level function '{name}' in module '{moduleName}'");
        if (code.FreeNames.Length > 0) throw Bad(token, $"'{name}' needs a closure");
        made = new PyFunction(code, module, Array.Empty<object>(), null, Array.Empty<Cell>());
        _ownDefs[qualified] = made;
        return made;
    }

    private PyException Exception(PNode token) => Value(token) as PyException ?? throw Bad(token, "expected an exception");

    private Tasklet TaskletRef(PNode token)
    {
        var id = Int(token, 0, int.MaxValue);
        return _tasklets.GetValueOrDefault(id) ?? throw Bad(token, $"there is no tasklet {id}");
    }

    /// <summary>
    /// A tasklet waiting in a channel's queue or on a future or a tasklet. It must be blocked, and
    /// wait in one place only: whatever it waits on wakes it, and a tasklet woken twice would run
    /// twice (a second time with no frames left), a finished one would come back to life.
    /// </summary>
    /// <summary>A tasklet that waits here, for [reason]: that is what it is blocked on (deadlock reports, `wf stack`).</summary>
    private Tasklet BlockedTasklet(PNode token, string reason)
    {
        var t = TaskletRef(token);
        if (t.State != TaskletState.Blocked) throw Bad(token, $"tasklet {t.Id} waits here but is not blocked");
        if (!_waiting.Add(t)) throw Bad(token, $"tasklet {t.Id} waits in two places");
        t.BlockedOn = reason;
        return t;
    }

    private readonly HashSet<Tasklet> _waiting = new(ReferenceEqualityComparer.Instance);

    private PyList ListOf(PObject e, string key) => Value(Required(e, key)) as PyList ?? throw Bad(e[key]!, "expected a list");
    private PyDict DictOf(PObject e) => Value(Required(e, "dict")) as PyDict ?? throw Bad(e["dict"]!, "expected a dict");

    private DictViewKind View(PObject e) => Str(Required(e, "view")) switch
    {
        "keys" => DictViewKind.Keys,
        "values" => DictViewKind.Values,
        "items" => DictViewKind.Items,
        var other => throw Bad(e["view"]!, $"unknown dict view '{other}'"),
    };

    // ------------------------------------------------------------------------------ JSON shape

    private static PickleException Bad(PNode token, string message) => new(token.Path, message);

    private static PNode Required(PObject o, string name) => o[name] ?? throw Bad(o, $"missing \"{name}\"");

    private static PObject Obj(PNode? t) => t as PObject ?? throw Bad(t!, "expected a JSON object");
    private static PArray Arr(PNode t) => t as PArray ?? throw Bad(t, "expected a JSON array");

    private static string Str(PNode t) => t.Type == PickleJsonType.String ? (string)t! : throw Bad(t, "expected a string");

    private static bool Bool(PNode t) => t.Type == PickleJsonType.Boolean ? (bool)t : throw Bad(t, "expected true or false");

    /// <summary>The optional type name of a reversed tuple_iterator (reversed(dict)): only a known iterator type's name.</summary>
    private static string? ReverseTypeName(PObject o) => o["type_name"] is { } t
        ? BuiltinTypes.IteratorTypes.ContainsKey(Str(t)) ? Str(t) : throw Bad(t, "unknown iterator type name")
        : null;

    /// <summary>A bound of a pickled range: a script int of any size.</summary>
    private BigInteger RangeBound(PObject o, string name) => Value(Required(o, name)) switch
    {
        long l => l,
        BigInteger big => big,
        _ => throw Bad(o[name]!, "expected an integer"),
    };

    private static bool OptionalBool(PObject o, string name) => o[name] is { } t && Bool(t);

    private static long Long(PNode t, long min)
    {
        if (t.Type != PickleJsonType.Integer || ((PValue)t).Value is not long value) throw Bad(t, "expected an integer that fits 64 bits");
        if (value < min) throw Bad(t, $"expected an integer of at least {min}");
        return value;
    }

    private static int Int(PNode t, int min, int max)
    {
        if (t.Type != PickleJsonType.Integer || ((PValue)t).Value is not long value || value < min || value > max)
            throw Bad(t, max == int.MaxValue ? $"expected an integer of at least {min}" : $"expected an integer from {min} to {max}");
        return (int)value;
    }
    /// <summary>
    /// Json.NET's metadata keys ($type, $id, $ref, $values) are never in a pickle, which is read
    /// without TypeNameHandling; one in the pickle's own structure (not in a map of script names,
    /// where setattr can make any string a key) means the pickle was forged to name a .NET type.
    /// </summary>
    private static void NoTypeMetadata(PObject o)
    {
        foreach (var (name, value) in o)
            if (name.StartsWith('$')) throw Bad(value ?? o, $"\"{name}\" names a .NET type or object, which a pickle never does");
    }

    // ------------------------------------------------------------------------------ operand stacks

    /// <summary>
    /// Checks the values a frame's operand stack holds against what its code guarantees there. The
    /// interpreter trusts the compiler: ListAppend casts its accumulator to a list, BuildString its
    /// parts to strings, CallMethod calls a built-in method on the receiver LoadMethod found it on.
    /// A pickle could put anything in those slots, so each is held to what the instruction that
    /// pushed it pushes (see StackShapes). Values only the interpreter makes (a built-in type's
    /// method before it is bound, the no-receiver marker, a code object) are allowed in the slots
    /// that hold them and nowhere else.
    /// </summary>
    private void CheckStack(Frame frame, PObject token)
    {
        if (frame.Sp == 0) return;
        var shapes = StackShapes.Of(frame.Code);
        var state = frame.Ip < shapes.Length ? shapes[frame.Ip] : null;
        var items = Arr(token["stack"]!);
        // The frame is at one of its resume sites (checked before); one the analysis never reaches is in dead code (after a
        // `return` in a finally, say) where no run stops.
        if (state == null || state.Length < frame.Sp) throw Bad(items, $"{frame.Code.QualifiedName} cannot hold {frame.Sp} values on its stack there");
        for (int i = 0; i < frame.Sp; i++)
        {
            var value = frame.Stack[i];
            var slot = state[i];
            bool ok = slot.Shape switch
            {
                SlotShape.Constant => SameConstant(value, frame.Code.Constants[slot.Arg]),
                SlotShape.List => value is PyList,
                SlotShape.Dict => value is PyDict,
                SlotShape.String => value is string,
                SlotShape.Tuple => value is PyTuple,
                SlotShape.Function => value is PyFunction fn && (slot.Arg < 0 || ReferenceEquals(fn.Code, frame.Code.Constants[slot.Arg])),
                SlotShape.Exception => value is PyException,
                SlotShape.HandledOrNone => value is PyException or PyNone,
                SlotShape.Module => value is PyModule,
                SlotShape.Method => i + 1 < frame.Sp && state[i + 1].Shape == SlotShape.MethodSelf
                    && IsLoadedMethod(value, frame.Stack[i + 1], frame.Code.Names[slot.Arg]),
                // Paired with its method by the Method slot's check.
                SlotShape.MethodSelf => value == NoSelf.Value || !IsInternal(value),
                _ => !IsInternal(value),
            };
            if (!ok) throw Bad(items[i], $"the value does not fit the operand stack of {frame.Code.QualifiedName} there ({ShapeName(slot, frame.Code)} expected)");
        }
    }

    /// <summary>Objects the interpreter keeps for itself: a script never holds one, so a pickle may not put one in a variable or container.</summary>
    private static bool IsInternal(object value) =>
        value is NativeMethod or NoSelf or CodeObject or Cell || value == PyChannel.EndOfIteration;

    /// <summary>What LoadMethod leaves: a class's function with its instance, a built-in type's method with a value of that type, or any callable without a receiver.</summary>
    private static bool IsLoadedMethod(object callable, object self, string name)
    {
        if (self == NoSelf.Value) return !IsInternal(callable);
        if (callable is PyFunction) return self is PyInstance && !IsInternal(self);
        return callable is NativeMethod native && self is not (PyInstance or PyClass or PyModule or PySuper) && !IsInternal(self)
            && BuiltinTypes.TypeOf(self).NativeMethods?.GetValueOrDefault(name) == native;
    }

    /// <summary>
    /// A bound built-in method's receiver must have the method's type (its C# code casts it), and
    /// super()'s object must be an instance of its class (as super(type, obj) requires), since the
    /// methods super() finds are called on it. Checked once every instance has its class.
    /// </summary>
    private static void CheckReceiver(object target, PObject e)
    {
        switch (target)
        {
            case BoundNativeMethod bound when !OwnsNative(bound.Self, bound.Method):
                throw Bad(e["self"]!, $"a '{BuiltinTypes.TypeOf(bound.Self).Name}' value has no such method");
            case PySuper super when !BuiltinTypes.TypeOf(super.Self).IsSubclassOf(super.Class):
                throw Bad(e["self"]!, $"super()'s object is not an instance of '{super.Class.Name}'");
        }
    }

    /// <summary>A built-in type's method bound to [self]: its C# code casts self to that type.</summary>
    private static bool OwnsNative(object self, NativeMethod method)
    {
        for (var type = BuiltinTypes.TypeOf(self); type != null; type = type.Base)
            if (type.NativeMethods != null && type.NativeMethods.ContainsValue(method)) return true;
        return false;
    }

    /// <summary>A constant pushed by LoadConst is still that constant: same kind, same value (a tuple item by item).</summary>
    private static bool SameConstant(object value, object constant) => (value, constant) switch
    {
        (PyNone, PyNone) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b,
        (BigInteger a, BigInteger b) => a == b,
        (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
        (string a, string b) => a == b,
        (PyTuple a, PyTuple b) => a.Items.Length == b.Items.Length && a.Items.Zip(b.Items).All(p => SameConstant(p.First, p.Second)),
        _ => ReferenceEquals(value, constant),
    };

    private static string ShapeName(StackSlot slot, CodeObject code) => slot.Shape switch
    {
        SlotShape.Constant => code.Constants[slot.Arg] is CodeObject constantCode ? $"the code of {constantCode.QualifiedName}" : $"the constant {Ops.Repr(code.Constants[slot.Arg])}",
        SlotShape.Function => "a function",
        SlotShape.HandledOrNone => "an exception or None",
        SlotShape.Method => $"the method '{code.Names[slot.Arg]}' with its receiver",
        SlotShape.MethodSelf => "a method's receiver",
        SlotShape.Any => "a value a script can hold",
        var other => "a " + other.ToString().ToLowerInvariant(),
    };
}
