using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>What the pickler reads from an instance and the unpickler puts back into a fresh VM.</summary>
internal sealed partial class Interpreter
{
    /// <summary>Runnable tasklets in the order they will run.</summary>
    internal IReadOnlyCollection<Tasklet> RunQueue => _runQueue;
    internal Tasklet MainTasklet => _main;
    /// <summary>Whether the top-level code has finished and main(input) has been started.</summary>
    internal bool MainCalled => _mainCalled;
    internal object Input => _input;
    internal int NextTaskletId => _nextTaskletId;
    /// <summary>The tasklet that stopped mid-slice at a safe point and goes on before the run queue.</summary>
    internal Tasklet? ContinuingTasklet => _continuing;
    /// <summary>The module of the built-ins written in script; its functions are found by name, never pickled.</summary>
    internal PyModule PreludeModule => _prelude;

    /// <summary>Readies a fresh VM to receive an unpickled instance: the prelude runs, so its functions exist.</summary>
    internal void PrepareRestore() => RunPrelude();

    /// <summary>Installs an unpickled instance's scheduler state; the objects were rebuilt by the unpickler.</summary>
    internal void Restore(object input, bool mainCalled, IEnumerable<Tasklet> tasklets, Tasklet main,
        IEnumerable<Tasklet> runQueue, Tasklet? continuing, int nextTaskletId)
    {
        _input = input;
        _mainCalled = mainCalled;
        Tasklets.Clear();
        Tasklets.AddRange(tasklets);
        _main = main;
        _runQueue.Clear();
        foreach (var t in runQueue) _runQueue.Enqueue(t);
        _continuing = continuing;
        _nextTaskletId = nextTaskletId;
    }

    /// <summary>
    /// In a chaos run, carries the scheduler's counters from the VM that was thrown away: the
    /// preemption budget left to the running tasklet and the ticks spent, so that preemption and
    /// the MaxTicks limit fall exactly where they fall in a plain run. They are not in the pickle:
    /// a real resumption starts a fresh turn.
    /// </summary>
    internal void TakeCountersFrom(Interpreter previous)
    {
        _ticks = previous._ticks;
        _budget = previous._budget;
        _realBudget = previous._realBudget;
        _sliceOpen = previous._sliceOpen;
        // Work started but not yet handed to the runtime is not in the pickle: it travels with the turn.
        Work.MoveFrom(previous.Work);
    }
}
