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
}
