using Workflow.Durable;

namespace Workflow.Hosting;

/// <summary>
/// How long the journal (every instance's turns, GET /api/instances/{id}/history) keeps what
/// (configuration section <c>Workflow:Journal</c>). Every turn of an instance that can still run is
/// kept; the workers prune the rest in small batches.
/// </summary>
public sealed class JournalOptions
{
    // The defaults are the engine's own (one place for each fact).
    private static readonly JournalRetention Defaults = new();

    /// <summary>How long a finished instance's journal is kept after it finished; then its entries are deleted (the instance stays). The default value is 7 days; 0 or more.</summary>
    public TimeSpan KeepFinishedFor { get; set; } = Defaults.KeepFinishedFor;

    /// <summary>How many of an instance's newest turns keep their pickle (its stack, for `wf history --turn`, rewind and fork); older turns keep their entry without it. The default value is 1,000; 1 or more.</summary>
    public int PicklesPerInstance { get; set; } = Defaults.PicklesPerInstance;

    /// <summary>How often each worker prunes the journal. The default value is 1 minute; from 1 second to 1 day.</summary>
    public TimeSpan PruneEvery { get; set; } = new JournalPrunerOptions().Every;

    /// <summary>Every problem with these options, described; empty when there is none.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (KeepFinishedFor < TimeSpan.Zero) problems.Add($"KeepFinishedFor must be 0 or more (was {KeepFinishedFor})");
        if (PicklesPerInstance < 1) problems.Add($"PicklesPerInstance must be 1 or more (was {PicklesPerInstance})");
        if (PruneEvery < TimeSpan.FromSeconds(1) || PruneEvery > TimeSpan.FromDays(1)) problems.Add($"PruneEvery must be from 1 second to 1 day (was {PruneEvery})");
        return problems;
    }

    /// <summary>The worker's pruner options these make.</summary>
    internal JournalPrunerOptions PrunerOptions() => new()
    {
        Retention = new JournalRetention { KeepFinishedFor = KeepFinishedFor, PicklesPerInstance = PicklesPerInstance },
        Every = PruneEvery,
    };
}
