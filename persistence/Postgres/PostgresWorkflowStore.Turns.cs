using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Claiming instances and committing their turns.</summary>
internal sealed partial class PostgresWorkflowStore
{
    /// <summary>
    /// Claims ready instances whose lease is free or expired, oldest ReadySince first. The claim does
    /// not clear Ready: an instance whose worker dies mid-turn is claimable again once the lease expires.
    /// </summary>
    /// <remarks>
    /// FOR UPDATE SKIP LOCKED: rows another transaction holds (a claim in another process, a delivery,
    /// a commit) are passed over rather than waited for, so competing workers never block each other
    /// and never take the same instance; a row that changed since the statement began is re-checked
    /// against the conditions before it is taken. The inbox is read after the rows are locked, in a
    /// later statement, so it holds every entry delivered before the claim.
    /// </remarks>
    public IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        if (max <= 0) return [];
        return Write(s =>
        {
            var claimed = new List<(InstanceView Instance, long Revision, long ReadySince)>();
            using (var reader = s.Command($"""
                WITH picked AS (
                    SELECT "Id" FROM instances
                    WHERE "Ready" AND ("LeaseExpiresAt" IS NULL OR "LeaseExpiresAt" <= @now) AND {NotFinal}
                    ORDER BY "ReadySince" LIMIT @max
                    FOR UPDATE SKIP LOCKED)
                UPDATE instances i SET "LeaseOwner" = @worker, "LeaseExpiresAt" = @until, "Revision" = i."Revision" + 1
                FROM picked WHERE i."Id" = picked."Id"
                RETURNING {Qualified("i", InstanceColumns)}, i."ReadySince"
                """).With("@worker", worker).With("@until", UnixTime.Ms(leaseUntil)).With("@now", UnixTime.Ms(now)).With("@max", max)
                .ExecuteReader())
            {
                while (reader.Read()) claimed.Add((Instance(reader), reader.GetInt64(12), reader.GetInt64(13)));
            }
            claimed.Sort((a, b) => a.ReadySince.CompareTo(b.ReadySince));
            var result = new List<ClaimedInstance>(claimed.Count);
            foreach (var (instance, revision, _) in claimed) result.Add(new ClaimedInstance(instance, revision, ReadInbox(s, instance.Id)));
            return result;
        });
    }

    /// <summary>[columns] (a comma-separated list of quoted names) prefixed with the table alias [alias].</summary>
    private static string Qualified(string alias, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    private static List<InboxEntry> ReadInbox(PostgresSession s, string instanceId)
    {
        var entries = new List<InboxEntry>();
        using var reader = s.Command("SELECT \"Id\", \"Kind\", \"Sequence\", \"Name\", \"Payload\" FROM inbox WHERE \"InstanceId\" = @id ORDER BY \"Id\"")
            .With("@id", instanceId).ExecuteReader();
        while (reader.Read())
            entries.Add(new InboxEntry(reader.GetInt64(0), StoredNames.Kind(reader.GetString(1)), reader.GetInt32(2), reader.NullableString(3), reader.NullableString(4)));
        return entries;
    }

    /// <summary>
    /// The group commit: all of [commits] in one transaction, each applied only while the row's
    /// revision is the one its turn claimed (see IWorkflowStore.CommitTurns); a stale one is skipped
    /// whole. When an error aborts the transaction, nothing of any commit is written and the error is thrown.
    /// </summary>
    /// <remarks>The group's instance rows are locked first (LockInstances).</remarks>
    public IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits)
    {
        if (commits.Count == 0) return [];
        var ids = commits.Select(c => c.InstanceId).Distinct().ToArray();
        return Write(s =>
        {
            LockInstances(s, ids);
            var now = Now();
            var latestPrograms = new Dictionary<string, string?>();
            var revisions = new long?[commits.Count];
            for (var i = 0; i < commits.Count; i++) revisions[i] = Commit(s, commits[i], now, latestPrograms);
            return revisions;
        });
    }

    /// <summary>Applies one commit; null when the revision moved on (nothing written).</summary>
    /// <remarks>
    /// Two statements where SQLite has one. Whether the instance is ready again depends on inbox
    /// entries that may have arrived during the turn; a READ COMMITTED statement that has to wait for
    /// the row (a delivery holding it) would still judge the inbox by the snapshot it started with,
    /// missing that delivery's entry and clearing Ready for good. So the first statement locks the row
    /// (and checks the revision); the UPDATE that decides Ready starts after, and sees every delivery
    /// committed before the lock, while later ones wait for this commit and then set Ready themselves.
    /// </remarks>
    private long? Commit(PostgresSession s, TurnCommit commit, long now, Dictionary<string, string?> latestPrograms)
    {
        var id = commit.InstanceId;
        string? parentId;
        int parentSequence;
        using (var reader = s.Command("SELECT \"ParentId\", \"ParentSequence\" FROM instances WHERE \"Id\" = @id AND \"Revision\" = @revision FOR UPDATE")
            .With("@id", id).With("@revision", commit.Revision).ExecuteReader())
        {
            if (!reader.Read()) return null;
            parentId = reader.NullableString(0);
            parentSequence = reader.GetInt32(1);
        }
        var final = StoredNames.IsFinal(commit.Status);
        var revision = (long)s.Command("""
            UPDATE instances SET
                "Status" = @status, "Pickle" = @pickle, "ResultJson" = @result, "Error" = @error, "ErrorSummary" = @summary,
                "Revision" = "Revision" + 1,
                "Turns" = "Turns" + @turns,
                "LeaseOwner" = CASE WHEN @keep THEN "LeaseOwner" END,
                "LeaseExpiresAt" = CASE WHEN @keep THEN "LeaseExpiresAt" END,
                "Ready" = CASE WHEN @final THEN FALSE WHEN @keep THEN "Ready"
                               ELSE EXISTS (SELECT 1 FROM inbox WHERE "InstanceId" = @id AND "Id" > @through) END,
                "ReadySince" = CASE WHEN @final THEN NULL WHEN @keep THEN "ReadySince"
                                    ELSE (SELECT "CreatedAt" FROM inbox WHERE "InstanceId" = @id AND "Id" > @through ORDER BY "Id" LIMIT 1) END,
                "UpdatedAt" = @now
            WHERE "Id" = @id
            RETURNING "Revision"
            """)
            .With("@id", id)
            .With("@status", StoredNames.Of(commit.Status)).With("@pickle", commit.Pickle).With("@result", commit.ResultJson)
            .With("@error", commit.Error).With("@summary", commit.ErrorSummary)
            .With("@turns", commit.KeepLease ? 0 : 1).With("@keep", commit.KeepLease).With("@final", final)
            .With("@through", commit.ConsumedThrough).With("@now", now)
            .ExecuteScalar()!;
        if (commit.ConsumedThrough > 0)
            s.Command("DELETE FROM inbox WHERE \"InstanceId\" = @id AND \"Id\" <= @through").With("@id", id).With("@through", commit.ConsumedThrough).ExecuteNonQuery();
        foreach (var activity in commit.Activities) InsertActivity(s, id, activity, now);
        foreach (var timer in commit.Timers)
            s.Command("INSERT INTO timers (\"InstanceId\", \"Sequence\", \"DueAt\", \"CreatedAt\") VALUES (@id, @sequence, @due, @now) ON CONFLICT DO NOTHING")
                .With("@id", id).With("@sequence", timer.Sequence).With("@due", UnixTime.Ms(timer.DueAt)).With("@now", now)
                .ExecuteNonQuery();
        foreach (var child in commit.Children) StartChild(s, id, child, now, latestPrograms);
        foreach (var sequence in commit.Cancelled)
        {
            s.Command("DELETE FROM timers WHERE \"InstanceId\" = @id AND \"Sequence\" = @sequence").With("@id", id).With("@sequence", sequence).ExecuteNonQuery();
            s.Command("DELETE FROM activity_tasks WHERE \"InstanceId\" = @id AND \"Sequence\" = @sequence").With("@id", id).With("@sequence", sequence).ExecuteNonQuery();
            // Only a child this instance started (a future that was not a child has no such row).
            var child = ChildInstances.Id(id, sequence);
            if (s.Command("SELECT 1 FROM instances WHERE \"Id\" = @child AND \"ParentId\" = @id").With("@child", child).With("@id", id).ExecuteScalar() != null)
                Deliver(s, child, InboxKind.Cancel, 0, null, null, now);
        }
        if (final) Finish(s, commit, parentId, parentSequence, now);
        return revision;
    }

    private static void InsertActivity(PostgresSession s, string instanceId, ActivityRequest activity, long now) =>
        s.Command("""
            INSERT INTO activity_tasks ("InstanceId", "Sequence", "Name", "ArgumentsJson", "Retries", "TimeoutSeconds", "Attempts", "CreatedAt")
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
    private static void StartChild(PostgresSession s, string parentId, ChildRequest child, long now, Dictionary<string, string?> latestPrograms)
    {
        if (!latestPrograms.TryGetValue(child.Workflow, out var hash))
        {
            hash = s.Command(CurrentHashSql).With("@name", child.Workflow).ExecuteScalar() as string;
            latestPrograms[child.Workflow] = hash;
        }
        if (hash == null)
        {
            Deliver(s, parentId, InboxKind.ChildFailed, child.Sequence, null, $"no workflow named '{child.Workflow}' is deployed", now);
            return;
        }
        InsertInstance(s, new NewInstance(ChildInstances.Id(parentId, child.Sequence), child.Workflow, hash, child.InputJson, parentId, child.Sequence), now);
    }

    /// <summary>
    /// What a final status does: tells the parent, cancels the children still running, and deletes
    /// the instance's timers, activity tasks and unconsumed inbox entries (nothing can consume them).
    /// </summary>
    private static void Finish(PostgresSession s, TurnCommit commit, string? parentId, int parentSequence, long now)
    {
        var id = commit.InstanceId;
        if (parentId != null)
        {
            if (commit.Status == InstanceStatus.Completed)
                Deliver(s, parentId, InboxKind.ChildCompleted, parentSequence, null, commit.ResultJson, now);
            else
                Deliver(s, parentId, InboxKind.ChildFailed, parentSequence, null, commit.ErrorSummary ?? ChildInstances.DefaultSummary(commit.Status), now);
        }
        // As Deliver does, per child: the row is locked (and made ready) before its entry's id is drawn.
        s.Command($"""
            WITH ready AS (
                UPDATE instances SET "Ready" = TRUE, "ReadySince" = CASE WHEN "Ready" AND "ReadySince" IS NOT NULL THEN "ReadySince" ELSE @now END
                WHERE "ParentId" = @id AND {NotFinal}
                RETURNING "Id")
            INSERT INTO inbox ("InstanceId", "Kind", "Sequence", "CreatedAt")
            SELECT "Id", @kind, 0, @now FROM ready
            """).With("@id", id).With("@kind", StoredNames.Of(InboxKind.Cancel)).With("@now", now).ExecuteNonQuery();
        s.Command("DELETE FROM timers WHERE \"InstanceId\" = @id").With("@id", id).ExecuteNonQuery();
        s.Command("DELETE FROM activity_tasks WHERE \"InstanceId\" = @id").With("@id", id).ExecuteNonQuery();
        s.Command("DELETE FROM inbox WHERE \"InstanceId\" = @id").With("@id", id).ExecuteNonQuery();
    }
}
