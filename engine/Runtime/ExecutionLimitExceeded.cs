namespace Workflow.Runtime;

/// <summary>
/// Thrown when a run passes InterpreterOptions.MaxTicks. It is deliberately not a script exception:
/// a program cannot catch it and carry on looping.
/// </summary>
public sealed class ExecutionLimitExceeded : Exception
{
    public ExecutionLimitExceeded(long limit, string where)
        : base($"execution limit exceeded: the program ran {limit:N0} ticks without finishing (at {where}); raise InterpreterOptions.MaxTicks or --max-ticks if this is expected")
    {
    }

    private ExecutionLimitExceeded(string message) : base(message)
    {
    }

    /// <summary>A sliced run (the durable runtime's fair turns) used up its budget of running time since it last blocked.</summary>
    public static ExecutionLimitExceeded RunBudget(TimeSpan budget, TimeSpan ran) => new(
        $"execution limit exceeded: the instance ran {ran.TotalSeconds:0.#} s of script without every tasklet blocking (the limit is {budget.TotalSeconds:0.#} s across its slices, RunBudget): a workflow must await something (an activity, a timer, a signal) between long computations; do heavy work in an activity");

    public ExecutionLimitExceeded(TimeSpan limit)
        : base($"execution limit exceeded: one turn ran longer than {limit.TotalSeconds:0.#} s without every tasklet blocking (the limit is half the worker's lease: raise the lease if this is expected)")
    {
    }
}
