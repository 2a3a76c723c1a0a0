using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>An instance a PruneJournal call visits: whether its journal has expired, and the first and last turn its journal still holds.</summary>
internal readonly record struct JournalVisit(string InstanceId, bool Expired, int FirstTurn, int LastTurn);

/// <summary>
/// The decisions of a PruneJournal call, the same for both stores: which instance's rows to delete or
/// whose pickles to drop, within the call's budget; the stores run the statements.
/// </summary>
/// <remarks>
/// Why the walk goes over the journal's instance ids, not over `instances`: instance rows stay when
/// their journal goes, so a scan of finished instances (the (Status, CreatedAt, Id) index) would grow
/// for ever and look at every long-pruned instance again on every call, and instances have no index on
/// UpdatedAt. The journal's primary key (InstanceId, Turn) gives the distinct instance ids by a loose
/// index scan (a recursive query: each step is one seek for the smallest id above the last), so a pass
/// costs a few seeks per instance that still has entries — a set retention itself keeps small — and
/// the first and last turn of each are two more seeks on the same key. The instance row is read by
/// its primary key.
/// </remarks>
internal sealed class JournalPruneStep(JournalRetention policy)
{
    public int Deleted { get; private set; }
    public int Dropped { get; private set; }
    /// <summary>Rows the call may still change.</summary>
    public int Left => policy.BatchSize - Deleted - Dropped;

    /// <summary>
    /// The turns through which [visit]'s rows are to be deleted now (the oldest first, within the
    /// budget), or null when it has not expired. Counts them as deleted.
    /// </summary>
    public int? DeleteThrough(JournalVisit visit)
    {
        if (!visit.Expired) return null;
        var through = (int)Math.Min(visit.LastTurn, (long)visit.FirstTurn + Left - 1);
        Deleted += through - visit.FirstTurn + 1;
        return through;
    }

    /// <summary>The newest turn of [visit] whose pickle is to go (older than the newest PicklesPerInstance), or null for none.</summary>
    public int? DropPicklesThrough(JournalVisit visit) =>
        !visit.Expired && visit.LastTurn > policy.PicklesPerInstance ? visit.LastTurn - policy.PicklesPerInstance : null;

    public void Count(int dropped) => Dropped += dropped;

    public JournalPruning Result(string? next) => new(Deleted, Dropped, next);

    /// <summary>
    /// Pickles are dropped oldest first, so within an instance's turns older than the newest
    /// PicklesPerInstance the dropped ones come before the kept ones (turns that never had a pickle,
    /// PickleBytes 0, may sit anywhere). The pickles left to drop are therefore the ones after the
    /// newest dropped entry (PickleBytes > 0, Pickle null): found by walking the key backwards from the
    /// bound, over the entries added since the last pass only, not over the instance's whole history.
    /// This is the SQL's condition (the newest dropped entry at or before @through); the columns are quoted by [q].
    /// </summary>
    public static string AfterLastDropped(Func<string, string> q) => $"""
        {q("Turn")} > COALESCE((SELECT {q("Turn")} FROM journal WHERE {q("InstanceId")} = @id AND {q("Turn")} <= @through AND {q("PickleBytes")} > 0 AND {q("Pickle")} IS NULL
                                ORDER BY {q("Turn")} DESC LIMIT 1), 0)
        """;
}
