using Workflow.Compiler;
using Workflow.Values;

namespace Workflow.Runtime;

internal sealed partial class Interpreter
{
    /// <summary>
    /// Calls [callable]. Returns a Frame for the interpreter loop to push (script code: functions,
    /// constructors running __init__), a value (built-ins, generators, instances without __init__),
    /// or Suspended when a built-in parked the tasklet.
    /// </summary>
    public object Invoke(object callable, object[] args, Dictionary<string, object>? kwargs)
    {
        switch (callable)
        {
            case PyFunction fn:
                {
                    var frame = BindArguments(fn, args, kwargs);
                    if (fn.Code.IsGenerator)
                    {
                        var gen = new PyGenerator(frame) { Unshared = true };
                        frame.Generator = gen;
                        return gen;
                    }
                    return frame;
                }
            case BoundMethod bm:
                {
                    var withSelf = new object[args.Length + 1];
                    withSelf[0] = bm.Self;
                    args.CopyTo(withSelf, 1);
                    return Invoke(bm.Function, withSelf, kwargs);
                }
            case BuiltinFunction bf:
                return bf.Body(args, kwargs);
            case BoundNativeMethod nm:
                return nm.Method(nm.Self, args, kwargs);
            case PyClass cls:
                return Instantiate(cls, args, kwargs);
            case PyInstance inst when inst.Class.TryLookup("__call__", out var call):
                return Invoke(Ops.Bind(inst, call), args, kwargs);
            default:
                throw Errors.TypeError($"'{Ops.TypeName(callable)}' object is not callable");
        }
    }

    private object Instantiate(PyClass cls, object[] args, Dictionary<string, object>? kwargs)
    {
        if (cls.NativeConstructor != null) return cls.NativeConstructor(args, kwargs);
        PyInstance instance = cls.IsException ? new PyException(cls, new PyTuple(args)) : new PyInstance(cls);
        if (cls.TryLookup("__init__", out var init))
        {
            if (init is PyFunction fn)
            {
                var withSelf = new object[args.Length + 1];
                withSelf[0] = instance;
                args.CopyTo(withSelf, 1);
                var frame = BindArguments(fn, withSelf, kwargs);
                frame.ReturnKind = ReturnKind.Init;
                frame.Extra = instance;
                return frame;
            }
            if (init is NativeMethod native)
            {
                native(instance, args, kwargs);
                return instance;
            }
        }
        if (args.Length > 0 || kwargs is { Count: > 0 }) throw Errors.TypeError($"{cls.Name}() takes no arguments");
        return instance;
    }

    /// <summary>Makes the frame for a call of [fn], binding arguments to parameters with CPython's rules and messages.</summary>
    private static Frame BindArguments(PyFunction fn, object[] args, Dictionary<string, object>? kwargs)
    {
        var code = fn.Code;
        var frame = new Frame(code, fn.Module, fn.Closure, fn.Globals);
        var locals = frame.Locals;
        int npos = code.PositionalCount;
        if (kwargs == null && args.Length == npos && code.KwOnlyCount == 0 && !code.HasVarArgs && !code.HasVarKeywords)
        {
            args.CopyTo(locals, 0);
            InitCellParameters(frame);
            return frame;
        }

        var name = code.QualifiedName;
        int n = Math.Min(args.Length, npos);
        Array.Copy(args, locals, n);
        int varArgsSlot = npos + code.KwOnlyCount;
        int varKwSlot = varArgsSlot + (code.HasVarArgs ? 1 : 0);
        if (code.HasVarArgs)
        {
            locals[varArgsSlot] = args.Length > npos ? new PyTuple(args[npos..]) : PyTuple.Empty;
        }
        else if (args.Length > npos)
        {
            int withDefaults = fn.Defaults.Length;
            var expected = withDefaults > 0 ? $"from {npos - withDefaults} to {npos}" : npos.ToString();
            throw Errors.TypeError($"{name}() takes {expected} positional argument{(npos == 1 && withDefaults == 0 ? "" : "s")} but {args.Length} {(args.Length == 1 ? "was" : "were")} given");
        }
        PyDict? extra = code.HasVarKeywords ? new PyDict() : null;
        if (extra != null) locals[varKwSlot] = extra;
        if (kwargs != null)
        {
            foreach (var (key, value) in kwargs)
            {
                int slot = Array.IndexOf(code.LocalNames, key, 0, npos + code.KwOnlyCount);
                if (slot < 0)
                {
                    if (extra == null) throw Errors.TypeError($"{name}() got an unexpected keyword argument '{key}'");
                    extra.Set(key, value);
                    continue;
                }
                if (locals[slot] != null) throw Errors.TypeError($"{name}() got multiple values for argument '{key}'");
                locals[slot] = value;
            }
        }
        int firstDefault = npos - fn.Defaults.Length;
        List<string>? missing = null;
        for (int i = 0; i < npos; i++)
        {
            if (locals[i] != null) continue;
            if (i >= firstDefault) locals[i] = fn.Defaults[i - firstDefault];
            else (missing ??= new List<string>()).Add(code.LocalNames[i]);
        }
        if (missing != null) throw MissingArguments(name, missing, "positional");
        for (int i = npos; i < npos + code.KwOnlyCount; i++)
        {
            if (locals[i] != null) continue;
            if (fn.KwDefaults != null && fn.KwDefaults.TryGetValue(code.LocalNames[i], out var d)) locals[i] = d;
            else (missing ??= new List<string>()).Add(code.LocalNames[i]);
        }
        if (missing != null) throw MissingArguments(name, missing, "keyword-only");
        InitCellParameters(frame);
        return frame;
    }

    private static ScriptError MissingArguments(string function, List<string> names, string kind)
    {
        var quoted = names.Select(n => $"'{n}'").ToList();
        var list = quoted.Count switch
        {
            1 => quoted[0],
            2 => $"{quoted[0]} and {quoted[1]}",
            _ => string.Join(", ", quoted.Take(quoted.Count - 1)) + ", and " + quoted[^1],
        };
        return Errors.TypeError($"{function}() missing {names.Count} required {kind} argument{(names.Count == 1 ? "" : "s")}: {list}");
    }

    /// <summary>Puts a generator's frame on top of [caller] so the loop runs it until it yields or returns.</summary>
    private void ResumeGenerator(Tasklet t, Frame caller, PyGenerator g, ReturnKind kind) =>
        PushFrame(t, caller, PrepareResume(g, kind));

    /// <summary>Readies a suspended generator's frame to run again; the caller pushes it.</summary>
    private Frame PrepareResume(PyGenerator g, ReturnKind kind)
    {
        if (g.Running) throw Errors.ValueError("generator already executing");
        var t = CurrentTasklet!;
        g.CallerHandledException = t.HandledException;
        t.HandledException = g.HandledException ?? t.HandledException;
        var frame = g.Frame;
        // The value of the yield it stopped at; a close raises GeneratorExit there instead.
        if (g.Started && kind != ReturnKind.Close) frame.Stack[frame.Sp++] = PyNone.Value;
        g.Started = true;
        g.Running = true;
        frame.ReturnKind = kind;
        return frame;
    }

    /// <summary>
    /// Pops [f] after it returned [result] and delivers the result as its ReturnKind says. Returns
    /// true when the loop must stop (the tasklet finished, or a nested run ended). Sets [error]
    /// when the delivery itself raises in the caller (an __init__ that returned a value).
    /// </summary>
    private bool ReturnFrom(Tasklet t, Frame f, object result, Frame? boundary, out PyException? error)
    {
        error = null;
        var parent = f.Parent;
        f.Parent = null;
        if (f.Generator != null)
        {
            f.Generator.Finished = true;
            f.Generator.Running = false;
            LeaveGenerator(t, f.Generator);
        }
        if (f == boundary)
        {
            t.Top = parent;
            _nestedYielded = false;
            _nestedResult = result;
            return true;
        }
        if (parent == null)
        {
            FinishTasklet(t, result, null);
            // The main tasklet goes on into main(input) after its top-level code.
            return t.Top == null;
        }
        t.Top = parent;
        try
        {
            switch (f.ReturnKind)
            {
                case ReturnKind.Call:
                case ReturnKind.ForIterNext:
                    parent.Stack[parent.Sp++] = result;
                    break;
                case ReturnKind.Close:
                    // A generator that caught GeneratorExit and returned: closed all the same.
                    parent.Stack[parent.Sp++] = PyNone.Value;
                    break;
                case ReturnKind.Init:
                    if (result is not PyNone) throw Errors.TypeError($"__init__() should return None, not '{Ops.TypeName(result)}'");
                    parent.Stack[parent.Sp++] = f.Extra!;
                    break;
                case ReturnKind.ClassBody:
                    parent.Stack[parent.Sp++] = MakeClass(f);
                    break;
                case ReturnKind.Import:
                    parent.Stack[parent.Sp++] = f.Extra!;
                    break;
                case ReturnKind.ForIter:
                    parent.Stack[--parent.Sp] = null!;
                    parent.Ip = parent.Code.Instructions[parent.Ip - 1] >> 8;
                    break;
                case ReturnKind.YieldFrom:
                    parent.Stack[parent.Sp - 1] = result;
                    parent.Ip = parent.Code.Instructions[parent.Ip - 1] >> 8;
                    break;
                case ReturnKind.Next:
                    if (f.NextDefault != null) parent.Stack[parent.Sp++] = f.NextDefault;
                    else throw Errors.StopIteration(result is PyNone ? null : result);
                    f.NextDefault = null;
                    break;
                default:
                    throw new InvalidOperationException($"unexpected return kind {f.ReturnKind}");
            }
        }
        catch (ScriptError e)
        {
            error = e.Exception;
        }
        return false;
    }

    /// <summary>A generator stops running (yield, return, exception): it keeps its own handled exception; the caller gets theirs back.</summary>
    private static void LeaveGenerator(Tasklet t, PyGenerator g)
    {
        g.HandledException = t.HandledException == g.CallerHandledException ? null : t.HandledException;
        t.HandledException = g.CallerHandledException;
        g.CallerHandledException = null;
    }

    private static PyClass MakeClass(Frame body)
    {
        var info = (PyTuple)body.Extra!;
        var name = (string)info.Items[0];
        var bases = ((PyTuple)info.Items[1]).Items;
        if (bases.Length > 1) throw Errors.TypeError($"class {name}: multiple inheritance is not supported");
        PyClass baseClass = BuiltinTypes.Object;
        if (bases.Length == 1)
        {
            if (bases[0] is not PyClass b) throw Errors.TypeError($"class {name}: base must be a class, not '{Ops.TypeName(bases[0])}'");
            if (b.NativeConstructor != null && b != BuiltinTypes.Object)
                throw Errors.TypeError($"class {name}: subclassing the built-in type '{b.Name}' is not supported");
            baseClass = b;
        }
        var cls = new PyClass(name, baseClass);
        foreach (var (key, value) in body.Namespace!) cls.Dict[key] = value;
        int cell = Array.IndexOf(body.Code.CellNames, "__class__");
        if (cell >= 0) body.Cells[cell].Value = cls;
        return cls;
    }

    /// <summary>`import name`: the module if already loaded, else a Frame running its top-level code.</summary>
    private object Import(string name)
    {
        if (Modules.TryGetValue(name, out var loaded)) return loaded;
        if (Builtins.BuiltinFunctions.Modules.TryGetValue(name, out var builtin))
        {
            Modules[name] = builtin;
            return builtin;
        }
        var code = _moduleSource?.Load(name)
            ?? throw Errors.New(ExceptionTypes.ModuleNotFoundError, $"No module named '{name}'");
        var module = new PyModule(name, code.FileName) { Code = code };
        Modules[name] = module;
        return new Frame(code, module, null) { ReturnKind = ReturnKind.Import, Extra = module };
    }

    /// <summary>The value of `await x`, or Suspended when the tasklet parked until x is ready.</summary>
    private object AwaitValue(object awaitable)
    {
        BlockingOperations++;
        return awaitable switch
        {
            Tasklet target => AwaitTasklet(target),
            PyFuture future => AwaitFuture(future),
            _ => throw Errors.TypeError($"object of type '{Ops.TypeName(awaitable)}' can't be awaited"),
        };
    }

    /// <summary>How many awaits and channel operations the instance has made: the runtime's commit-at-every-await option commits when it moves.</summary>
    public long BlockingOperations;

    /// <summary>The exception `raise x` raises: x itself, or a new instance when x is an exception class.</summary>
    private PyException MakeRaisable(object value)
    {
        if (value is PyException e) return e;
        if (value is PyClass { IsException: true } cls)
        {
            var made = CallNested(cls, Array.Empty<object>(), null, "raise");
            if (made is PyException instance) return instance;
        }
        throw Errors.TypeError("exceptions must derive from BaseException");
    }
}
