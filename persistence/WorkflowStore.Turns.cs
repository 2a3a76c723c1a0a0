using Microsoft.Data.Sqlite;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Claiming instances and committing their turns.</summary>
internal sealed partial class WorkflowStore
{
    /// <summary>
    /// Claims ready instances whose lease is free or expired and that are not paused, oldest ReadySince
    /// first. The claim does not clear Ready: an instance whose worker dies mid-turn is claimable again
    /// once the lease expires.
    /// </summary>
    public IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All)
    {
        if (max <= 0) return [];
        return Transaction(writes: true, s =>
        {
            var claimed = new List<(InstanceView Instance, long Revision, long ReadySince, long BusyMicros, int SequenceFloor)>();
            using (var reader = s.Command($"""
                UPDATE instances SET LeaseOwner = @worker, LeaseExpiresAt = @until, Revision = Revision + 1
                WHERE Id IN (SELECT Id FROM instances
                             WHERE Ready = 1 AND (LeaseExpiresAt IS NULL OR LeaseExpiresAt <= @now) AND Paused = 0 AND {StoredNames.NotFinal}{LaneCondition(lane)}
                             ORDER BY ReadySince LIMIT @max)
                RETURNING {InstanceColumns}, ReadySince, BusyMicros, SequenceFloor
                """).With("@worker", worker).With("@until", UnixTime.Ms(leaseUntil)).With("@now", UnixTime.Ms(now)).With("@max", max)
                .ExecuteReader())
            {
                while (reader.Read()) claimed.Add((Instance(reader), reader.GetInt64(12), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt32(16)));
            }
            claimed.Sort((a, b) => a.ReadySince.CompareTo(b.ReadySince));
            var result = new List<ClaimedInstance>(claimed.Count);
            foreach (var (instance, revision, _, busy, floor) in claimed) result.Add(new ClaimedInstance(instance, revision, ReadInbox(s, instance.Id), busy, floor));
            return result;
        });
    }

    /// <summary>The claim's extra condition for [lane] (see ClaimLane).</summary>
    private static string LaneCondition(ClaimLane lane) => lane switch
    {
        ClaimLane.Fresh => " AND BusyMicros = 0",
        ClaimLane.Busy => " AND BusyMicros > 0",
        _ => "",
    };

    private static List<InboxEntry> ReadInbox(SqliteSession s, string instanceId)
    {
        var entries = new List<InboxEntry>();
        using var reader = s.Command("SELECT Id, Kind, Sequence, Name, Payload, Attempts FROM inbox WHERE InstanceId = @id ORDER BY Id")
            .With("@id", instanceId).ExecuteReader();
        while (reader.Read())
            entries.Add(new InboxEntry(reader.GetInt64(0), StoredNames.Kind(reader.GetString(1)), reader.GetInt32(2), reader.NullableString(3), reader.NullableString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5)));
        return entries;
    }

    /// <summary>
    /// The group commit: all of [commits] in one transaction (one fsync), each applied only while
    /// the row's revision is the one its turn claimed (see IWorkflowStore.CommitTurns). A commit
    /// with KeepLease leaves Ready as it is (set, since the instance was claimed ready): the turn
    /// goes on, and if its worker dies the instance must be claimable again once the lease expires.
    /// When an error aborts the transaction, nothing of any commit is written and the error is thrown.
    /// </summary>
    public IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits)
    {
        if (commits.Count == 0) return [];
        return Transaction(writes: true, s =>
        {
            var now = Now();
            var latestPrograms = new Dictionary<string, string?>();
            var revisions = new long?[commits.Count];
            for (var i = 0; i < commits.Count; i++) revisions[i] = Commit(s, commits[i], now, latestPrograms);
            return revisions;
        });
    }

    /// <summary>Applies one commit; null when the revision moved on (nothing written).</summary>
    private long? Commit(SqliteSession s, TurnCommit commit, long now, Dictionary<string, string?> latestPrograms)
    {
        var final = StoredNames.IsFinal(commit.Status);
        long revision;
        string? parentId;
        int parentSequence, turn;
        using (var reader = s.Command("""
            UPDATE instances SET
                Status = @status, Pickle = @pickle, ResultJson = @result, Error = @error, ErrorSummary = @summary,
                Revision = Revision + 1,
                Turns = Turns + 1,
                LeaseOwner = CASE WHEN @keep THEN LeaseOwner END,
                LeaseExpiresAt = CASE WHEN @keep THEN LeaseExpiresAt END,
                Ready = CASE WHEN @final THEN 0 WHEN @keep THEN Ready WHEN @busy > 0 THEN 1
                             ELSE EXISTS (SELECT 1 FROM inbox WHERE InstanceId = @id AND Id > @through) END,
                ReadySince = CASE WHEN @final THEN NULL WHEN @keep THEN ReadySince WHEN @busy > 0 THEN @now
                                  ELSE (SELECT CreatedAt FROM inbox WHERE InstanceId = @id AND Id > @through ORDER BY Id LIMIT 1) END,
                BusyMicros = CASE WHEN @keep THEN BusyMicros ELSE @busy END,
                UpdatedAt = @now
            WHERE Id = @id AND Revision = @revision
            RETURNING Revision, ParentId, ParentSequence, Turns
            """)
            .With("@id", commit.InstanceId).With("@revision", commit.Revision)
            .With("@status", StoredNames.Of(commit.Status)).With("@pickle", commit.Pickle).With("@result", commit.ResultJson)
            .With("@error", commit.Error).With("@summary", commit.ErrorSummary)
            .With("@keep", commit.KeepLease).With("@final", final)
            .With("@through", commit.ConsumedThrough).With("@now", now).With("@busy", commit.BusyMicros)
            .ExecuteReader())
        {
            if (!reader.Read()) return null;
            revision = reader.GetInt64(0);
            parentId = reader.NullableString(1);
            parentSequence = reader.GetInt32(2);
            turn = reader.GetInt32(3);
        }
        var id = commit.InstanceId;
        if (_writeJournal) InsertJournalEntry(s, id, turn, commit.Status, _journalPickles ? commit.Pickle : null, commit.Journal, now);
        if (commit.ConsumedThrough > 0)
            s.Command("DELETE FROM inbox WHERE InstanceId = @id AND Id <= @through").With("@id", id).With("@through", commit.ConsumedThrough).ExecuteNonQuery();
        foreach (var activity in commit.Activities) InsertActivity(s, id, activity, now);
        foreach (var timer in commit.Timers)
            s.Command("INSERT INTO timers (InstanceId, Sequence, DueAt, CreatedAt) VALUES (@id, @sequence, @due, @now) ON CONFLICT DO NOTHING")
                .With("@id", id).With("@sequence", timer.Sequence).With("@due", UnixTime.Ms(timer.DueAt)).With("@now", now)
                .ExecuteNonQuery();
        foreach (var child in commit.Children) StartChild(s, id, child, now, latestPrograms);
        foreach (var sequence in commit.Cancelled)
        {
            s.Command("DELETE FROM timers WHERE InstanceId = @id AND Sequence = @sequence").With("@id", id).With("@sequence", sequence).ExecuteNonQuery();
            s.Command("DELETE FROM activity_tasks WHERE InstanceId = @id AND Sequence = @sequence").With("@id", id).With("@sequence", sequence).ExecuteNonQuery();
            // Only a child this instance started (a future that was not a child has no such row).
            var child = ChildId(id, sequence);
            if (s.Command("SELECT COUNT(*) FROM instances WHERE Id = @child AND ParentId = @id").With("@child", child).With("@id", id).ExecuteScalar() is long n && n > 0)
                Deliver(s, child, InboxKind.Cancel, 0, null, null, now);
        }
        if (final) Finish(s, commit, parentId, parentSequence, now);
        return revision;
    }

    /// <summary>The journal's entry [turn] of [instanceId]: [journal] as of the commit that made it, with the pickle it committed.</summary>
    private static void InsertJournalEntry(SqliteSession s, string instanceId, int turn, InstanceStatus status, byte[]? pickle, JournalEntry? journal, long now) =>
        s.Command("""
            INSERT INTO journal (InstanceId, Turn, Kind, At, Worker, DurationMicros, Status, Entry, PickleBytes, Pickle)
            VALUES (@id, @turn, @kind, @now, @worker, @duration, @status, @entry, @bytes, @pickle)
            """)
            .With("@id", instanceId).With("@turn", turn).With("@kind", journal?.Kind ?? JournalKinds.Turn).With("@now", now)
            .With("@worker", journal?.Worker).With("@duration", journal?.DurationMicros ?? 0).With("@status", StoredNames.Of(status))
            .With("@entry", journal?.Json ?? "{}").With("@bytes", pickle?.Length ?? 0).With("@pickle", pickle)
            .ExecuteNonQuery();

    private static string ChildId(string parentId, int sequence) => ChildInstances.Id(parentId, sequence);

    private static void InsertActivity(SqliteSession s, string instanceId, ActivityRequest activity, long now) =>
        s.Command("""
            INSERT INTO activity_tasks (InstanceId, Sequence, Name, ArgumentsJson, Retries, TimeoutSeconds, Attempts, CreatedAt)
            VALUES (@id, @sequence, @name, @arguments, @retries, @timeout, 0, @now)
            ON CONFLICT DO NOTHING
            """)
            .With("@id", instanceId).With("@sequence", activity.Sequence).With("@name", activity.Name)
            .With("@arguments", activity.ArgumentsJson).With("@retries", activity.Retries).With("@timeout", activity.TimeoutSeconds)
            .With("@now", now)
            .ExecuteNonQuery();

    /// <summary>
    /// Starts the child on the latest deployed version of its workflow; a child that exists already is
    /// left alone. With no such workflow deployed, the parent gets ChildFailed instead.
    /// </summary>
    private static void StartChild(SqliteSession s, string parentId, ChildRequest child, long now, Dictionary<string, string?> latestPrograms)
    {
        if (!latestPrograms.TryGetValue(child.Workflow, out var hash))
        {
            hash = s.Command(CurrentHashSql)
                .With("@name", child.Workflow).ExecuteScalar() as string;
            latestPrograms[child.Workflow] = hash;
        }
        if (ChildInstances.TooDeep(parentId, child.Workflow) is { } tooDeep)
        {
            Deliver(s, parentId, InboxKind.ChildFailed, child.Sequence, null, tooDeep, now);
            return;
        }
        if (hash == null)
        {
            Deliver(s, parentId, InboxKind.ChildFailed, child.Sequence, null, ChildInstances.NotDeployed(child.Workflow), now);
            return;
        }
        InsertInstance(s, new NewInstance(ChildId(parentId, child.Sequence), child.Workflow, hash, child.InputJson, parentId, child.Sequence), now).ExecuteNonQuery();
    }

    /// <summary>
    /// What a final status does: tells the parent, cancels the children still running, and deletes
    /// the instance's timers, activity tasks and unconsumed inbox entries (nothing can consume them).
    /// </summary>
    private static void Finish(SqliteSession s, TurnCommit commit, string? parentId, int parentSequence, long now)
    {
        var id = commit.InstanceId;
        if (parentId != null)
        {
            var (kind, payload) = ChildInstances.OutcomeForParent(commit.Status, commit.ResultJson, commit.ErrorSummary);
            Deliver(s, parentId, kind, parentSequence, null, payload, now);
        }
        s.Command($"""
            INSERT INTO inbox (InstanceId, Kind, Sequence, CreatedAt)
            SELECT Id, '{StoredNames.Of(InboxKind.Cancel)}', 0, @now FROM instances WHERE ParentId = @id AND {StoredNames.NotFinal}
            """).With("@id", id).With("@now", now).ExecuteNonQuery();
        s.Command($"""
            UPDATE instances SET Ready = 1, ReadySince = CASE WHEN Ready = 1 AND ReadySince IS NOT NULL THEN ReadySince ELSE @now END
            WHERE ParentId = @id AND {StoredNames.NotFinal}
            """).With("@id", id).With("@now", now).ExecuteNonQuery();
        s.Command("DELETE FROM timers WHERE InstanceId = @id").With("@id", id).ExecuteNonQuery();
        s.Command("DELETE FROM activity_tasks WHERE InstanceId = @id").With("@id", id).ExecuteNonQuery();
        s.Command("DELETE FROM inbox WHERE InstanceId = @id").With("@id", id).ExecuteNonQuery();
    }
}
