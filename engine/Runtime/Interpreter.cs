using Workflow.Compiler;
using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// The stackless VM for one workflow instance: its tasklets, their run queue, its modules. It runs
/// on whichever thread calls Run, never blocks that thread, and keeps all script state in heap
/// frames, so the whole instance can be pickled between any two safe points.
/// </summary>
internal sealed partial class Interpreter
{
    [ThreadStatic] private static Interpreter? _current;

    /// <summary>The interpreter running on this thread, for built-ins that call back into script code.</summary>
    public static Interpreter Current => _current ?? throw new InvalidOperationException("no interpreter is running on this thread");

    /// <summary>Returned by a built-in after it has parked the current tasklet (a channel operation, schedule()).</summary>
    public static readonly object Suspended = new();

    public readonly InterpreterOptions Options;
    public readonly TextWriter Out;
    public readonly Dictionary<string, PyModule> Modules = new();
    private readonly IModuleSource? _moduleSource;

    private readonly Queue<Tasklet> _runQueue = new();
    public readonly List<Tasklet> Tasklets = new();
    public Tasklet? CurrentTasklet { get; private set; }
    private int _nextTaskletId = 1;

    private long _ticks;
    private int _budget;

    // InterpreterOptions.StopAtSafePoints: the loop stops at every safe point so that the caller
    // can pickle the instance there (a chaos run then goes on in an unpickled VM; commit-at-every-await
    // commits). _budget then stays at 0 so that every tick reaches Pause, and _realBudget counts the
    // real preemption budget.
    private readonly bool _stopAtSafePoints;
    private int _realBudget;
    private bool _pausedAtSafePoint;
    /// <summary>The tasklet that stopped at a safe point in mid-slice and runs on first when the scheduler resumes.</summary>
    private Tasklet? _continuing;
    /// <summary>Whether a slice has started whose use of the budget is not counted yet (see AccountForSlice).</summary>
    private bool _sliceOpen;
    /// <summary>How many nested loops (C# callers of script code) are active; blocking is refused inside them.</summary>
    private int _nestedDepth;
    private string _nestedCaller = "";

    /// <summary>Called when a spawned tasklet fails and nobody awaits it: such failures are logged, not fatal.</summary>
    public Action<Tasklet, PyException>? UnobservedFailure;

    /// <summary>
    /// CPython's "Exception ignored in": an error with no caller to raise it to, from a generator
    /// closed by the `for` loop that owned it (its finally raised, or it yielded again). CPython
    /// writes it to stderr and goes on; the host logs it.
    /// </summary>
    public Action<Tasklet, PyException>? UnraisableException;

    /// <summary>Futures not yet settled, oldest first: outside events settle them (gather/first through their parts).</summary>
    public readonly List<PyFuture> PendingFutures = new();
    /// <summary>Signals that arrived before the workflow asked for them, in arrival order.</summary>
    public readonly List<(string Name, object Payload)> QueuedSignals = new();
    private int _nextFutureSequence = 1;

    private Tasklet _main = null!;
    private PyModule _prelude = null!;
    private object _input = PyNone.Value;
    private bool _mainCalled;

    static Interpreter()
    {
        // Attaches the built-in types' constructors and method tables before any script runs.
        _ = Builtins.BuiltinFunctions.Table;
    }

    public Interpreter(TextWriter output, InterpreterOptions? options = null, IModuleSource? moduleSource = null)
    {
        Out = output;
        Options = options ?? new InterpreterOptions();
        _moduleSource = moduleSource;
        _stopAtSafePoints = Options.StopAtSafePoints;
    }

    /// <summary>
    /// Runs a program: its top-level code, then main(input) if it defines main, in the main tasklet,
    /// with spawned tasklets interleaved by the scheduling rules. Returns when main finishes, fails,
    /// or every tasklet is blocked (a deadlock).
    /// </summary>
    public ProgramOutcome Run(CodeObject module, object? input = null)
    {
        Start(module, input);
        return Continue() ?? throw new InvalidOperationException("a stop at a safe point in a run that does not stop at safe points");
    }

    /// <summary>Sets up a new instance of [module]: the prelude, the main module, the main tasklet. Runs nothing.</summary>
    public void Start(CodeObject module, object? input)
    {
        _input = input ?? PyNone.Value;
        RunPrelude();
        var mainModule = new PyModule("__main__", module.FileName) { Code = module };
        Modules["__main__"] = mainModule;
        _main = NewTasklet(new Frame(module, mainModule, null));
    }

    /// <summary>
    /// Runs the instance's tasklets until main finishes or fails, or (with StopAtSafePoints) until
    /// the next safe point, where it returns null: the instance can then be pickled, and this VM dropped.
    /// </summary>
    public ProgramOutcome? Continue()
    {
        var previous = _current;
        _current = this;
        try
        {
            if (!RunScheduler()) return null;
            if (!_main.IsDone) return Outcome();
            // Failures nobody awaited are reported once the run is over: an await may still have come.
            foreach (var t in Tasklets)
                if (t != _main && t.State == TaskletState.Failed && !t.ErrorObserved)
                    UnobservedFailure?.Invoke(t, t.Error!);
            return Outcome();
        }
        finally
        {
            _current = previous;
        }
    }

    /// <summary>Runs the prelude's top-level code (it only defines functions) on a throwaway tasklet.</summary>
    private void RunPrelude()
    {
        if (_preludeFunctions is { } made)
        {
            // The prelude's top-level code only defines plain functions: after its first run in
            // this process, a new VM gets the same functions directly (this is most of the fixed
            // cost of unpickling a small instance).
            _prelude = new PyModule(Builtins.Prelude.ModuleName, Builtins.Prelude.FileName);
            foreach (var (name, template) in made)
                _prelude.Globals[name] = new PyFunction(template.Code, _prelude, template.Defaults, template.KwDefaults, template.Closure);
            return;
        }
        var previous = _current;
        _current = this;
        try
        {
            _prelude = new PyModule(Builtins.Prelude.ModuleName, Builtins.Prelude.FileName);
            var runner = new Tasklet(0, new Frame(Builtins.Prelude.Module, _prelude, null));
            CurrentTasklet = runner;
            Execute(runner);
            CurrentTasklet = null;
            _pausedAtSafePoint = false;
            _continuing = null;
            if (runner.State != TaskletState.Completed) throw new InvalidOperationException("the prelude failed: " + runner.Error?.Args);
            var functions = _prelude.Globals.Items.Where(kv => kv.Value is PyFunction).Select(kv => (kv.Key, (PyFunction)kv.Value)).ToArray();
            // Only a prelude of plain functions can be set up without running it.
            if (functions.Length == _prelude.Globals.Items.Count() - 1) _preludeFunctions = functions;
        }
        finally
        {
            _current = previous;
        }
    }

    /// <summary>The prelude's functions as its first run in this process made them (see RunPrelude).</summary>
    private static (string Name, PyFunction Template)[]? _preludeFunctions;

    /// <summary>Calls prelude function [name]: returns the Frame to push (or a generator), as Invoke does.</summary>
    public object CallPrelude(string name, params object[] args) => Invoke(_prelude.Globals[name], args, null);

    /// <summary>Prelude function [name] itself.</summary>
    public object PreludeFunction(string name) => _prelude.Globals[name];

    private ProgramOutcome Outcome()
    {
        if (!_main.IsDone) return new ProgramOutcome { Status = ProgramStatus.Waiting };
        if (_main.State == TaskletState.Completed)
            return new ProgramOutcome { Status = ProgramStatus.Completed, Result = _main.Result ?? PyNone.Value };
        var error = _main.Error!;
        return new ProgramOutcome
        {
            Status = error.Class.IsSubclassOf(ExceptionTypes.CancelledError) ? ProgramStatus.Cancelled : ProgramStatus.Failed,
            Error = error,
            ErrorText = Traceback.Format(error),
            ErrorSummary = Traceback.Summary(error),
        };
    }

    private Tasklet NewTasklet(Frame? frame)
    {
        var t = new Tasklet(_nextTaskletId++, frame);
        Tasklets.Add(t);
        _runQueue.Enqueue(t);
        return t;
    }

    /// <summary>Runs tasklets until main is done (true) or a stop at a safe point (false).</summary>
    private bool RunScheduler()
    {
        while (!_main.IsDone)
        {
            Tasklet t;
            if (_continuing != null)
            {
                // Stopped mid-slice at a safe point: it goes on first, with the budget it had left.
                t = _continuing;
                _continuing = null;
            }
            else
            {
                if (_runQueue.Count > 0)
                {
                    // Between two tasklets is a safe point: a slice that is over ends here.
                    CheckSlice();
                    if (_sliceOver) return false;
                }
                if (_runQueue.Count == 0)
                {
                    // Blocked on something only the outside can settle: the instance waits, it is not deadlocked.
                    if (WaitsOnOutside()) return true;
                    FailMain(Deadlock());
                    return true;
                }
                t = _runQueue.Dequeue();
                if (t.State != TaskletState.Runnable) continue;
                AccountForSlice();
                if (_stopAtSafePoints)
                {
                    _realBudget = Options.PreemptionTicks;
                    _budget = 0;
                }
                else
                {
                    _budget = Options.PreemptionTicks;
                }
            }
            CurrentTasklet = t;
            Execute(t);
            CurrentTasklet = null;
            if (_pausedAtSafePoint)
            {
                _pausedAtSafePoint = false;
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Counts what the slice that just ended spent of its budget towards MaxTicks: SpendBudget
    /// counts only whole budgets, and tasklets that switch often (schedule(), channels) never use one up.
    /// </summary>
    private void AccountForSlice()
    {
        if (_sliceOpen)
        {
            int left = _stopAtSafePoints ? _realBudget : _budget;
            _ticks += Options.PreemptionTicks - Math.Clamp(left, 0, Options.PreemptionTicks);
            if (Options.MaxTicks > 0 && _ticks > Options.MaxTicks)
                throw new ExecutionLimitExceeded(Options.MaxTicks, "tasklets switching without end");
        }
        CheckDeadline();
        _sliceOpen = true;
    }

    /// <summary>
    /// The Stopwatch timestamp after which the run stops with ExecutionLimitExceeded at the next
    /// slice (every PreemptionTicks at most); 0 for none. The durable runtime bounds each turn with it,
    /// well inside the worker's lease, so that a runaway turn fails its instance instead of having its
    /// lease taken over again and again.
    /// </summary>
    public long Deadline;
    public TimeSpan TimeLimit;

    /// <summary>Called where MaxTicks is checked: at each slice and each spent budget.</summary>
    private void CheckDeadline()
    {
        if (Deadline != 0 && System.Diagnostics.Stopwatch.GetTimestamp() > Deadline)
            throw DeadlineError();
    }

    private ExecutionLimitExceeded DeadlineError() => _deadlineError?.Invoke() ?? new ExecutionLimitExceeded(TimeLimit);

    private Func<ExecutionLimitExceeded>? _deadlineError;

    /// <summary>Stops the run once it has taken [limit] of wall-clock time from now, with [error] (default: the turn's time limit's).</summary>
    public void LimitTime(TimeSpan limit, Func<ExecutionLimitExceeded>? error = null)
    {
        _deadlineError = error;
        TimeLimit = limit;
        Deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
    }

    private PyException Deadlock()
    {
        var blocked = Tasklets.Where(t => !t.IsDone).OrderBy(t => t.Id)
            .Select(t => $"{t} at line {ProgramFrame(t.Top)?.CurrentLine ?? 0} on {t.BlockedOn ?? "nothing"}");
        var message = "deadlock: all tasklets are blocked: " + string.Join(", ", blocked);
        return new PyException(ExceptionTypes.DeadlockError, PyTuple.Of(message));
    }

    /// <summary>The innermost frame running the program's own code, skipping prelude frames (built-ins written in script).</summary>
    private static Frame? ProgramFrame(Frame? f)
    {
        while (f != null && f.Code.FileName == Builtins.Prelude.FileName) f = f.Parent;
        return f;
    }

    private void FailMain(PyException error)
    {
        _main.State = TaskletState.Failed;
        _main.Error = error;
    }

    // ---------------------------------------------------------------- tasklet operations for built-ins

    /// <summary>spawn(): a new tasklet that will call [callable] when it first runs, appended to the run queue.</summary>
    public Tasklet Spawn(object callable, object[] args, Dictionary<string, object>? kwargs)
    {
        CheckTaskletQuota();
        var kw = new PyDict();
        if (kwargs != null)
            foreach (var (key, value) in kwargs) kw.Set(key, value);
        var frame = (Frame)CallPrelude("_call", callable, new PyTuple(args), kw);
        frame.Depth = 0;
        var t = new Tasklet(_nextTaskletId++, frame);
        Tasklets.Add(t);
        _runQueue.Enqueue(t);
        return t;
    }

    /// <summary>
    /// Parks the current tasklet, waiting for [reason] ("send", "receive", "await"). The caller
    /// returns Suspended right after; a later Wake or WakeWithError makes it runnable again.
    /// </summary>
    public void Park(string reason)
    {
        if (_nestedDepth > 0)
            throw Errors.RuntimeError($"cannot block ({reason}) inside a callback from {_nestedCaller}: do the blocking work in a for loop or a function of your own first");
        var t = CurrentTasklet!;
        t.State = TaskletState.Blocked;
        t.BlockedOn = reason;
        // Receive sets its own mode after parking; any other wait must not keep the last receive's.
        t.Receiving = ReceiveMode.Call;
    }

    /// <summary>Makes a parked tasklet runnable; [value] is what its blocking operation returns.</summary>
    public void Wake(Tasklet t, object value)
    {
        t.State = TaskletState.Runnable;
        t.BlockedOn = null;
        t.ResumeValue = value;
        _runQueue.Enqueue(t);
    }

    /// <summary>Makes a parked tasklet runnable, raising [error] at its blocking operation.</summary>
    public void WakeWithError(Tasklet t, PyException error)
    {
        t.State = TaskletState.Runnable;
        t.BlockedOn = null;
        t.ResumeError = error;
        _runQueue.Enqueue(t);
    }

    /// <summary>schedule(): moves the current tasklet to the end of the run queue.</summary>
    public object Schedule()
    {
        if (_nestedDepth > 0) return PyNone.Value;
        var t = CurrentTasklet!;
        t.ResumeValue = PyNone.Value;
        _runQueue.Enqueue(t);
        return Suspended;
    }

    /// <summary>Called when a tasklet's root frame returns or fails: records the outcome and wakes its awaiters.</summary>
    private void FinishTasklet(Tasklet t, object? result, PyException? error)
    {
        if (error == null && t == _main && !_mainCalled)
        {
            // Top-level code has finished: now main(input), in the same tasklet, if the program defines it.
            _mainCalled = true;
            if (Modules["__main__"].Globals.TryGetValue("main", out var main))
            {
                var started = Invoke(main, new[] { _input }, null);
                if (started is Frame frame)
                {
                    frame.Parent = null;
                    frame.Depth = 0;
                    t.Top = frame;
                    return;
                }
                result = started;
            }
            else
            {
                result = PyNone.Value;
            }
        }
        t.Top = null;
        if (error != null)
        {
            t.State = TaskletState.Failed;
            t.Error = error;
        }
        else
        {
            t.State = TaskletState.Completed;
            t.Result = result;
        }
        if (t.Awaiters != null)
        {
            foreach (var waiter in t.Awaiters)
            {
                if (error != null) WakeWithError(waiter, error);
                else Wake(waiter, result!);
            }
            if (error != null) t.ErrorObserved = true;
            t.Awaiters = null;
        }

    }

    /// <summary>await on a tasklet handle: its result now, or parks until it finishes.</summary>
    private object AwaitTasklet(Tasklet target)
    {
        if (target.State == TaskletState.Completed) return target.Result!;
        if (target.State == TaskletState.Failed)
        {
            target.ErrorObserved = true;
            throw new ScriptError(target.Error!);
        }
        if (target == CurrentTasklet) throw Errors.RuntimeError("a tasklet cannot await itself");
        Park("await");
        (target.Awaiters ??= new List<Tasklet>()).Add(CurrentTasklet!);
        return Suspended;
    }
}
