namespace Workflow.Durable;

/// <summary>
/// How long the journal keeps what (IWorkflowStore.PruneJournal): every entry of an instance that can
/// still run; a finished instance's entries for [KeepFinishedFor] after it finished, then none (the
/// instance row stays); and the pickles of an instance's newest [PicklesPerInstance] entries only
/// (older entries keep their document and pickle size, not the pickle).
/// </summary>
internal sealed record JournalRetention
{
    /// <summary>How long a finished instance's journal is kept after it finished. The default value is 7 days.</summary>
    public TimeSpan KeepFinishedFor { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How many of an instance's newest entries keep their pickle. The default value is 1,000.</summary>
    public int PicklesPerInstance { get; init; } = 1_000;

    /// <summary>
    /// One call's bound: it looks at most at this many instances and changes at most this many journal
    /// rows, so that it is one short transaction (on SQLite the workers' commits queue behind it). The
    /// default value is 500.
    /// </summary>
    public int BatchSize { get; init; } = 500;
}

/// <summary>
/// What one PruneJournal call did. [Next]: the instance id the walk over the journal resumes at (pass
/// it as the next call's [from]); null when the walk reached the journal's end.
/// </summary>
internal sealed record JournalPruning(int EntriesDeleted, int PicklesDropped, string? Next);
