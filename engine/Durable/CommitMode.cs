namespace Workflow.Durable;

/// <summary>When the runtime commits an instance's progress.</summary>
public enum CommitMode
{
    /// <summary>Once per turn, when every tasklet of the instance is blocked (the default: one transaction per turn).</summary>
    EveryTurn,
    /// <summary>
    /// Also after every await and channel operation within a turn: a crash in a long turn loses at
    /// most the work since the last await, at the price of one transaction per await.
    /// </summary>
    EveryAwait,
}
