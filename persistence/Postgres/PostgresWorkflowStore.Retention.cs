using Npgsql;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>The journal's retention (JournalRetention): deleting finished instances' entries, dropping old pickles.</summary>
internal sealed partial class PostgresWorkflowStore
{
    /// <summary>
    /// See IWorkflowStore.PruneJournal, and JournalPruneStep for why the walk goes over the journal's key.
    /// One transaction: the walk (one statement), then a statement per instance with something to do.
    /// </summary>
    /// <remarks>
    /// The delete checks again, under a share lock on the instance row, that the instance is still
    /// final and old: an operator's act that revives it (a rewind of a finished instance) committed
    /// since the walk would otherwise lose its journal; one running now waits for this transaction.
    /// </remarks>
    public JournalPruning PruneJournal(DateTime now, JournalRetention policy, string? from = null) => Write(s =>
    {
        var step = new JournalPruneStep(policy);
        var cutoff = UnixTime.Ms(now - policy.KeepFinishedFor);
        // One visit more than the call handles: its id is where the next call resumes.
        var visits = Walk(s, from ?? "", policy.BatchSize + 1, cutoff);
        for (var i = 0; i < Math.Min(visits.Count, policy.BatchSize); i++)
        {
            var visit = visits[i];
            if (step.Left == 0) return step.Result(visit.InstanceId);
            if (step.DeleteThrough(visit) is { } deleteThrough)
            {
                s.Command($"""
                    DELETE FROM journal WHERE "InstanceId" = @id AND "Turn" <= @through
                    AND EXISTS (SELECT 1 FROM instances WHERE "Id" = @id AND NOT ({NotFinal}) AND "UpdatedAt" < @cutoff FOR SHARE)
                    """).With("@id", visit.InstanceId).With("@through", deleteThrough).With("@cutoff", cutoff).ExecuteNonQuery();
                if (deleteThrough < visit.LastTurn) return step.Result(visit.InstanceId);
            }
            else if (step.DropPicklesThrough(visit) is { } dropThrough)
            {
                // One more than may be dropped: if there is, the instance has more to drop and the next call starts with it again.
                var turns = s.Command($"""
                    SELECT "Turn" FROM journal
                    WHERE "InstanceId" = @id AND "Turn" <= @through AND "Pickle" IS NOT NULL AND {JournalPruneStep.AfterLastDropped(c => $"\"{c}\"")}
                    ORDER BY "Turn" LIMIT @limit
                    """).With("@id", visit.InstanceId).With("@through", dropThrough).With("@limit", step.Left + 1)
                    .ReadAllAsync(CallMode.Sync, (NpgsqlDataReader r) => r.GetInt32(0)).SyncResult();
                var take = Math.Min(turns.Count, step.Left);
                if (take > 0)
                    step.Count(s.Command("""UPDATE journal SET "Pickle" = NULL WHERE "InstanceId" = @id AND "Turn" >= @first AND "Turn" <= @last AND "Pickle" IS NOT NULL""")
                        .With("@id", visit.InstanceId).With("@first", turns[0]).With("@last", turns[take - 1]).ExecuteNonQuery());
                if (turns.Count > take) return step.Result(visit.InstanceId);
            }
        }
        return step.Result(visits.Count > policy.BatchSize ? visits[^1].InstanceId : null);
    });

    /// <summary>
    /// Up to [count] instances with journal entries, from the id [from] on, in id order: the loose index
    /// scan JournalPruneStep describes (PostgreSQL has no skip scan for DISTINCT; the recursive query is
    /// its usual stand-in). An instance has expired when it is final and its row was last written (the
    /// turn that ended it, or an operator's act since) before [cutoff].
    /// </summary>
    private static List<JournalVisit> Walk(PostgresSession s, string from, int count, long cutoff) =>
        s.Command($"""
            WITH RECURSIVE walk(id, n) AS (
                SELECT (SELECT MIN("InstanceId") FROM journal WHERE "InstanceId" >= @from), 1
                UNION ALL
                SELECT (SELECT MIN("InstanceId") FROM journal WHERE "InstanceId" > walk.id), walk.n + 1 FROM walk WHERE walk.id IS NOT NULL AND walk.n < @count)
            SELECT w.id, COALESCE(NOT (i.{NotFinal}) AND i."UpdatedAt" < @cutoff, FALSE),
                   (SELECT MIN("Turn") FROM journal WHERE "InstanceId" = w.id), (SELECT MAX("Turn") FROM journal WHERE "InstanceId" = w.id)
            FROM walk w LEFT JOIN instances i ON i."Id" = w.id
            WHERE w.id IS NOT NULL
            ORDER BY w.n
            """).With("@from", from).With("@count", count).With("@cutoff", cutoff)
            .ReadAllAsync(CallMode.Sync, (NpgsqlDataReader r) => new JournalVisit(r.GetString(0), r.GetBoolean(1), r.GetInt32(2), r.GetInt32(3))).SyncResult();
}
