using System.Numerics;
using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Compiler;
using Workflow.Pickling.Kinds;
using static Workflow.Pickling.PickleRead;
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

    internal bool IsEntry(Frame frame) => _entryFrames.Contains(frame);

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

    internal ResumeSite SiteOf(Frame frame, PNode token) =>
        frame.Code.ResumeSiteAt(frame.Ip, frame.Sp) ?? frame.Code.ResumeSiteAt(frame.Ip, frame.Sp - 1)
        ?? throw Bad(token, "the frame is not at a resume site of its function");

    internal CodeObject CodeOf(PObject token, string key)
    {
        var module = token["module"] is { } m ? Str(m) : "__main__";
        var nameToken = Required(token, key);
        var name = Str(nameToken);
        return _program.Function(module, name) ?? throw Bad(nameToken, $"the program has no function '{name}' in module '{module}'");
    }

    internal PyModule ModuleOf(CodeObject code, PNode token)
    {
        if (code.ModuleName == Builtins.Prelude.ModuleName) return _vm.PreludeModule;
        return _vm.Modules.GetValueOrDefault(code.ModuleName) ?? throw Bad(token, $"module '{code.ModuleName}' is not in the pickle's modules");
    }

    /// <summary>Makes a frame with its code, module and cells; its variables and stack come in FillFrame.</summary>
    internal Frame CreateFrame(PObject token)
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

    internal void FillFrame(Frame frame, PObject token)
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
        PickledKind? kind;
        if (e["kind"] is { } kindToken)
        {
            var key = Str(kindToken);
            kind = PickledKinds.Named(key) ?? throw Bad(kindToken, $"unknown kind '{key}'");
        }
        else
        {
            kind = PickledKinds.Unnamed(e, e.Count, e.Count > 0 ? e.FirstProperty.Key : null, static (o, key) => o[key] != null)
                ?? throw Bad(e, "missing \"kind\"");
        }
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

    // ------------------------------------------------------------------------------ values

    /// <summary>A value a script can hold (see IsInternal for the objects only the interpreter holds).</summary>
    [MethodImpl(AggressiveOptimization | AggressiveInlining)]
    internal object Value(PNode token)
    {
        var value = AnyValue(token);
        if (StackCheck.IsInternal(value)) throw Bad(token, $"a {StackCheck.InternalName(value)} is not a value a script can hold");
        return value;
    }

    /// <summary>A value: JSON null/bool/number/string, or a one-key object naming a heap entry or a built-in.</summary>
    [MethodImpl(AggressiveOptimization)]
    internal object AnyValue(PNode token)
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

    internal object ScalarOrTagged(PNode token)
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
    internal static string? LoneSurrogateText(PNode token)
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

    internal PyException Exception(PNode token) => Value(token) as PyException ?? throw Bad(token, "expected an exception");

    private Tasklet TaskletRef(PNode token)
    {
        var id = Int(token, 0, int.MaxValue);
        return _tasklets.GetValueOrDefault(id) ?? throw Bad(token, $"there is no tasklet {id}");
    }

    /// <summary>
    /// A tasklet waiting in a channel's queue or on a future or a tasklet. It must be blocked, and
    /// wait in one place only: whatever it waits on wakes it, and a tasklet woken twice would run
    /// twice (a second time with no frames left), a finished one would come back to life. What it
    /// waits for, [reason], is what it is blocked on (deadlock reports, `wf stack`).
    /// </summary>
    internal Tasklet BlockedTasklet(PNode token, string reason)
    {
        var t = TaskletRef(token);
        if (t.State != TaskletState.Blocked) throw Bad(token, $"tasklet {t.Id} waits here but is not blocked");
        if (!_waiting.Add(t)) throw Bad(token, $"tasklet {t.Id} waits in two places");
        t.BlockedOn = reason;
        return t;
    }

    private readonly HashSet<Tasklet> _waiting = new(ReferenceEqualityComparer.Instance);
}
