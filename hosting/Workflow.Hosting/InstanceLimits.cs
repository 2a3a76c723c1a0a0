using Workflow.Durable;
using Workflow.Runtime;

namespace Workflow.Hosting;

/// <summary>
/// What one instance may take, so that one workflow cannot hurt the others (configuration section
/// <c>Workflow:Limits</c>). Past a quota the operation raises an error the workflow may catch
/// (RuntimeError, ValueError or MemoryError naming the limit); uncaught, the instance fails with it,
/// and its pickle and inputs stay in the database for inspection.
/// </summary>
public sealed class InstanceLimits
{
    // The defaults are the engine's own (one place for each fact).
    private static readonly TurnOptions DefaultTurns = new();
    private static readonly InterpreterOptions DefaultInterpreter = new();

    /// <summary>
    /// Fair turns: how long a turn runs script before the instance, still runnable, is committed as it
    /// stands and waits behind the others. The default value is 50 milliseconds; from 1 ms to 10 s.
    /// </summary>
    public TimeSpan Slice { get; set; } = DefaultTurns.Slice!.Value;

    /// <summary>
    /// How long an instance may run script without every tasklet blocking (on an activity, a timer, a
    /// signal), across its slices; past it the instance fails with "execution limit exceeded". The
    /// default value is 10 seconds; from the slice to 1 hour.
    /// </summary>
    public TimeSpan RunBudget { get; set; } = DefaultTurns.RunBudget;

    /// <summary>The largest value one operation may make (a string, list, integer…), in bytes; a larger one raises MemoryError. The default value is 64 MB; from 1 MB.</summary>
    public long MaxValueBytes { get; set; } = DefaultInterpreter.MaxValueBytes;

    /// <summary>Tasklets alive at once in one instance. The default value is 10,000; 1 or more.</summary>
    public int MaxTasklets { get; set; } = DefaultInterpreter.MaxTasklets;

    /// <summary>Activities one instance has started and not yet seen settle. The default value is 10,000; 1 or more.</summary>
    public int MaxPendingActivities { get; set; } = DefaultInterpreter.MaxPendingActivities;

    /// <summary>Timers one instance has pending. The default value is 10,000; 1 or more.</summary>
    public int MaxPendingTimers { get; set; } = DefaultInterpreter.MaxPendingTimers;

    /// <summary>Child workflows one instance has running. The default value is 10,000; 1 or more.</summary>
    public int MaxPendingChildren { get; set; } = DefaultInterpreter.MaxPendingChildren;

    /// <summary>The largest pickle (an instance's saved state) a turn may commit; a larger state fails the instance, keeping its previous pickle. The default value is 16 MB; from 64 KB.</summary>
    public long MaxPickleBytes { get; set; } = DefaultTurns.MaxPickleBytes;

    /// <summary>What one turn may print to the log, in bytes; the rest is dropped with a note. The default value is 1 MB; 0 or more.</summary>
    public long MaxOutputBytes { get; set; } = DefaultTurns.MaxOutputBytes;

    /// <summary>Every problem with these limits, described; empty when there is none.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (Slice < TimeSpan.FromMilliseconds(1) || Slice > TimeSpan.FromSeconds(10)) problems.Add($"Slice must be from 1 ms to 10 seconds (was {Slice})");
        if (RunBudget < Slice || RunBudget > TimeSpan.FromHours(1)) problems.Add($"RunBudget must be from the slice to 1 hour (was {RunBudget})");
        if (MaxValueBytes < 1L << 20) problems.Add($"MaxValueBytes must be 1 MB or more (was {MaxValueBytes})");
        if (MaxTasklets < 1) problems.Add($"MaxTasklets must be 1 or more (was {MaxTasklets})");
        if (MaxPendingActivities < 1) problems.Add($"MaxPendingActivities must be 1 or more (was {MaxPendingActivities})");
        if (MaxPendingTimers < 1) problems.Add($"MaxPendingTimers must be 1 or more (was {MaxPendingTimers})");
        if (MaxPendingChildren < 1) problems.Add($"MaxPendingChildren must be 1 or more (was {MaxPendingChildren})");
        if (MaxPickleBytes < 64 * 1024) problems.Add($"MaxPickleBytes must be 64 KB or more (was {MaxPickleBytes})");
        if (MaxOutputBytes < 0) problems.Add($"MaxOutputBytes must be 0 or more (was {MaxOutputBytes})");
        return problems;
    }

    /// <summary>The turn options these limits make, around [interpreter] (whose quotas they set, with the payload limit, WorkflowOptions.MaxPayloadBytes).</summary>
    internal TurnOptions TurnOptions(InterpreterOptions interpreter, CommitMode commitMode, long maxPayloadBytes = PayloadLimits.DefaultMaxPayloadBytes)
    {
        interpreter.MaxValueBytes = MaxValueBytes;
        interpreter.MaxTasklets = MaxTasklets;
        interpreter.MaxPendingActivities = MaxPendingActivities;
        interpreter.MaxPendingTimers = MaxPendingTimers;
        interpreter.MaxPendingChildren = MaxPendingChildren;
        interpreter.MaxPayloadBytes = maxPayloadBytes;
        return new TurnOptions
        {
            Interpreter = interpreter,
            CommitMode = commitMode,
            Slice = Slice,
            RunBudget = RunBudget,
            MaxPickleBytes = MaxPickleBytes,
            MaxOutputBytes = MaxOutputBytes,
        };
    }
}
