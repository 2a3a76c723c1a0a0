namespace Workflow.Runtime;

/// <summary>
/// The budget of work done inside built-ins: C# loops and big-int arithmetic are charged here
/// (see BuiltinWork for what they charge), so that MaxTicks and the turn's deadline hold inside
/// one long built-in call as they do between bytecodes.
/// </summary>
internal sealed partial class Interpreter
{
    /// <summary>
    /// Counts [ticks] of a built-in's work towards MaxTicks and checks the deadline. It leaves the
    /// preemption budget alone: a built-in cannot be preempted, only stopped.
    /// </summary>
    internal void ChargeWork(long ticks)
    {
        // An estimate for an absurd operation may be near long.MaxValue; adding it must not wrap.
        _ticks += Math.Min(ticks, 1L << 60);
        if (Options.MaxTicks > 0 && _ticks > Options.MaxTicks)
            throw new ExecutionLimitExceeded(Options.MaxTicks, BuiltinWorkSite());
        CheckDeadline();
        // An operation charged before it runs (big-int arithmetic) whose estimate alone goes past the
        // deadline is stopped now, not minutes later when it returns.
        if (Deadline != 0 && ticks > BuiltinWork.Batch
            && System.Diagnostics.Stopwatch.GetTimestamp() + BuiltinWork.StopwatchTicks(ticks) > Deadline)
            throw DeadlineError();
        // Fair turns: a long built-in ends the slice at the next safe point after it returns.
        CheckSlice();
    }

    /// <summary>
    /// Where the MaxTicks error says the run stopped. The caller's line is not named: the call
    /// instructions do not save the instruction pointer before calling a built-in.
    /// </summary>
    private string BuiltinWorkSite()
    {
        var frame = ProgramFrame(CurrentTasklet?.Top);
        return frame == null ? "a built-in operation" : $"a built-in operation called from {frame.Code.Name} in {frame.Code.FileName}";
    }

    /// <summary>ChargeWork on the interpreter running on this thread; outside one (the compiler, unit tests) nothing is charged.</summary>
    internal static void ChargeRunning(long ticks) => _current?.ChargeWork(ticks);

    /// <summary>
    /// InterpreterOptions.MaxValueBytes of the interpreter running on this thread, or the default
    /// outside one. Read only on ValueSize's slow path, so the ThreadStatic costs nothing per operation.
    /// </summary>
    internal static long RunningMaxValueBytes => _current?.Options.MaxValueBytes ?? DefaultMaxValueBytes;

    private static readonly long DefaultMaxValueBytes = new InterpreterOptions().MaxValueBytes;
}
