using NpgsqlTypes;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Claiming instances and committing their turns.</summary>
internal sealed partial class PostgresWorkflowStore
{
    /// <summary>
    /// Claims ready instances whose lease is free or expired and that are not paused, oldest ReadySince
    /// first. The claim does not clear Ready: an instance whose worker dies mid-turn is claimable again
    /// once the lease expires.
    /// </summary>
    /// <remarks>
    /// FOR UPDATE SKIP LOCKED: rows another transaction holds (a claim in another process, a delivery,
    /// a commit) are passed over rather than waited for, so competing workers never block each other
    /// and never take the same instance; a row that changed since the statement began is re-checked
    /// against the conditions before it is taken. The inbox is read after the rows are locked, in a
    /// later statement, so it holds every entry delivered before the claim.
    /// </remarks>
    public IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All)
    {
        if (max <= 0) return [];
        var laneCondition = lane switch
        {
            ClaimLane.Fresh => " AND \"BusyMicros\" = 0",
            ClaimLane.Busy => " AND \"BusyMicros\" > 0",
            _ => "",
        };
        return Write(s =>
        {
            var claimed = new List<(InstanceView Instance, long Revision, long ReadySince, long BusyMicros, int SequenceFloor)>();
            using (var reader = s.Command($"""
                WITH picked AS (
                    SELECT "Id" FROM instances
                    WHERE "Ready" AND ("LeaseExpiresAt" IS NULL OR "LeaseExpiresAt" <= @now) AND NOT "Paused" AND {NotFinal}{laneCondition}
                    ORDER BY "ReadySince" LIMIT @max
                    FOR UPDATE SKIP LOCKED)
                UPDATE instances i SET "LeaseOwner" = @worker, "LeaseExpiresAt" = @until, "Revision" = i."Revision" + 1
                FROM picked WHERE i."Id" = picked."Id"
                RETURNING {Qualified("i", InstanceColumns)}, i."ReadySince", i."BusyMicros", i."SequenceFloor"
                """).With("@worker", worker).With("@until", UnixTime.Ms(leaseUntil)).With("@now", UnixTime.Ms(now)).With("@max", max)
                .ExecuteReader())
            {
                while (reader.Read()) claimed.Add((Instance(reader), reader.GetInt64(12), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt32(16)));
            }
            claimed.Sort((a, b) => a.ReadySince.CompareTo(b.ReadySince));
            var inboxes = ReadInboxes(s, claimed.Select(c => c.Instance.Id).ToArray());
            var result = new List<ClaimedInstance>(claimed.Count);
            foreach (var (instance, revision, _, busy, floor) in claimed)
                result.Add(new ClaimedInstance(instance, revision, inboxes.TryGetValue(instance.Id, out var inbox) ? inbox : [], busy, floor));
            return result;
        });
    }

    /// <summary>[columns] (a comma-separated list of quoted names) prefixed with the table alias [alias].</summary>
    private static string Qualified(string alias, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    /// <summary>The inbox entries of [instanceIds], per instance in arrival (Id) order; one query for the whole claim.</summary>
    private static Dictionary<string, List<InboxEntry>> ReadInboxes(PostgresSession s, string[] instanceIds)
    {
        var inboxes = new Dictionary<string, List<InboxEntry>>();
        if (instanceIds.Length == 0) return inboxes;
        using var reader = s.Command("SELECT \"InstanceId\", \"Id\", \"Kind\", \"Sequence\", \"Name\", \"Payload\", \"Attempts\" FROM inbox WHERE \"InstanceId\" = ANY(@ids) ORDER BY \"Id\"")
            .WithArray("@ids", NpgsqlDbType.Text, instanceIds).ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!inboxes.TryGetValue(id, out var entries)) inboxes[id] = entries = [];
            entries.Add(new InboxEntry(reader.GetInt64(1), StoredNames.Kind(reader.GetString(2)), reader.GetInt32(3), reader.NullableString(4), reader.NullableString(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6)));
        }
        return inboxes;
    }

    /// <summary>
    /// The group commit: all of [commits] in one transaction, each applied only while the row's
    /// revision is the one its turn claimed (see IWorkflowStore.CommitTurns); a stale one is skipped
    /// whole. When an error aborts the transaction, nothing of any commit is written and the error is thrown.
    /// </summary>
    /// <remarks>
    /// A handful of statements whatever the group's size, in three round trips: the first statement
    /// locks the group's rows and reads their revisions, so which commits apply is decided here, in
    /// order (a later commit of the same instance is checked against the revision an earlier one
    /// left); the second, only when commits start children, reads the current versions of their
    /// workflows; then the writes are queued and sent at the commit, set-wise: one UPDATE for every
    /// instance row, one DELETE of the consumed inbox entries, one INSERT for the activity tasks and
    /// one for the timers (per wave: commits of an instance already in the wave start the next one).
    /// Children, cancellations and final statuses, rarer, get statements of their own.
    /// Whether an instance is ready again depends on inbox entries that may have arrived during the
    /// turn. A READ COMMITTED statement that had to wait for the row (a delivery holding it) would
    /// judge the inbox by the snapshot it started with, missing that delivery's entry and clearing
    /// Ready for good; so the rows are locked first, and the UPDATE that decides Ready, a later
    /// statement, sees every delivery committed before the lock, while later ones wait for this
    /// commit and then set Ready themselves.
    /// </remarks>
    public IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits)
    {
        if (commits.Count == 0) return [];
        var ids = commits.Select(c => c.InstanceId).Distinct().ToArray();
        var childWorkflows = commits.SelectMany(c => c.Children).Select(c => c.Workflow).Distinct().ToArray();
        return Write(s =>
        {
            var rows = LockInstances(s, ids);
            var currentPrograms = CurrentHashes(s, childWorkflows);
            var now = Now();
            var revisions = new long?[commits.Count];
            var wave = new List<(TurnCommit Commit, LockedInstance Row)>();
            var inWave = new HashSet<string>();
            for (var i = 0; i < commits.Count; i++)
            {
                var commit = commits[i];
                if (!rows.TryGetValue(commit.InstanceId, out var row) || row.Revision != commit.Revision) continue;
                if (!inWave.Add(commit.InstanceId))
                {
                    WriteWave(s, wave, now, currentPrograms);
                    wave.Clear();
                    inWave.Clear();
                    inWave.Add(commit.InstanceId);
                }
                wave.Add((commit, row));
                revisions[i] = row.Revision + 1;
                rows[commit.InstanceId] = row with { Revision = row.Revision + 1 };
            }
            WriteWave(s, wave, now, currentPrograms);
            return revisions;
        });
    }

    /// <summary>The current version's hash of each of [workflows], or null for one not deployed.</summary>
    private static Dictionary<string, string?> CurrentHashes(PostgresSession s, string[] workflows)
    {
        var hashes = workflows.ToDictionary(w => w, string? (_) => null);
        if (workflows.Length == 0) return hashes;
        using var reader = s.Command("""
            SELECT DISTINCT ON ("Name") "Name", "Hash" FROM deployments WHERE "Name" = ANY(@names)
            ORDER BY "Name", "Id" DESC
            """).WithArray("@names", NpgsqlDbType.Text, workflows).ExecuteReader();
        while (reader.Read()) hashes[reader.GetString(0)] = reader.GetString(1);
        return hashes;
    }

    /// <summary>Queues the writes of [wave]: commits of distinct instances, each of its locked row at the claimed revision.</summary>
    private static void WriteWave(PostgresSession s, List<(TurnCommit Commit, LockedInstance Row)> wave, long now, Dictionary<string, string?> currentPrograms)
    {
        if (wave.Count == 0) return;
        var commits = wave.Select(w => w.Commit).ToArray();
        s.Queue("""
            UPDATE instances i SET
                "Status" = c.status, "Pickle" = c.pickle, "ResultJson" = c.result, "Error" = c.error, "ErrorSummary" = c.summary,
                "Revision" = i."Revision" + 1,
                "Turns" = i."Turns" + 1,
                "LeaseOwner" = CASE WHEN c.keep THEN i."LeaseOwner" END,
                "LeaseExpiresAt" = CASE WHEN c.keep THEN i."LeaseExpiresAt" END,
                "Ready" = CASE WHEN c.final THEN FALSE WHEN c.keep THEN i."Ready" WHEN c.busy > 0 THEN TRUE
                               ELSE EXISTS (SELECT 1 FROM inbox b WHERE b."InstanceId" = c.id AND b."Id" > c.through) END,
                "ReadySince" = CASE WHEN c.final THEN NULL WHEN c.keep THEN i."ReadySince" WHEN c.busy > 0 THEN @now
                                    ELSE (SELECT b."CreatedAt" FROM inbox b WHERE b."InstanceId" = c.id AND b."Id" > c.through ORDER BY b."Id" LIMIT 1) END,
                "BusyMicros" = CASE WHEN c.keep THEN i."BusyMicros" ELSE c.busy END,
                "UpdatedAt" = @now
            FROM unnest(@ids, @statuses, @pickles, @results, @errors, @summaries, @keeps, @finals, @throughs, @busies)
                AS c(id, status, pickle, result, error, summary, keep, final, through, busy)
            WHERE i."Id" = c.id
            """)
            .WithArray("@ids", NpgsqlDbType.Text, commits.Select(c => c.InstanceId).ToArray())
            .WithArray("@statuses", NpgsqlDbType.Text, commits.Select(c => StoredNames.Of(c.Status)).ToArray())
            .WithArray("@pickles", NpgsqlDbType.Bytea, commits.Select(c => c.Pickle).ToArray())
            .WithArray("@results", NpgsqlDbType.Text, commits.Select(c => c.ResultJson).ToArray())
            .WithArray("@errors", NpgsqlDbType.Text, commits.Select(c => c.Error).ToArray())
            .WithArray("@summaries", NpgsqlDbType.Text, commits.Select(c => c.ErrorSummary).ToArray())
            .WithArray("@keeps", NpgsqlDbType.Boolean, commits.Select(c => c.KeepLease).ToArray())
            .WithArray("@finals", NpgsqlDbType.Boolean, commits.Select(c => StoredNames.IsFinal(c.Status)).ToArray())
            .WithArray("@throughs", NpgsqlDbType.Bigint, commits.Select(c => c.ConsumedThrough).ToArray())
            .WithArray("@busies", NpgsqlDbType.Bigint, commits.Select(c => c.BusyMicros).ToArray())
            .With("@now", now);

        // The journal's entries, numbered by the turn counts the UPDATE above just advanced.
        s.Queue("""
            INSERT INTO journal ("InstanceId", "Turn", "Kind", "At", "Worker", "DurationMicros", "Status", "Entry", "PickleBytes", "Pickle")
            SELECT c.id, i."Turns", c.kind, @now, c.worker, c.duration, c.status, c.entry, COALESCE(length(c.pickle), 0), c.pickle
            FROM unnest(@ids, @kinds, @workers, @durations, @statuses, @entries, @pickles) AS c(id, kind, worker, duration, status, entry, pickle)
            JOIN instances i ON i."Id" = c.id
            """)
            .WithArray("@ids", NpgsqlDbType.Text, commits.Select(c => c.InstanceId).ToArray())
            .WithArray("@kinds", NpgsqlDbType.Text, commits.Select(c => c.Journal?.Kind ?? JournalKinds.Turn).ToArray())
            .WithArray("@workers", NpgsqlDbType.Text, commits.Select(c => c.Journal?.Worker).ToArray())
            .WithArray("@durations", NpgsqlDbType.Bigint, commits.Select(c => c.Journal?.DurationMicros ?? 0).ToArray())
            .WithArray("@statuses", NpgsqlDbType.Text, commits.Select(c => StoredNames.Of(c.Status)).ToArray())
            .WithArray("@entries", NpgsqlDbType.Text, commits.Select(c => c.Journal?.Json ?? "{}").ToArray())
            .WithArray("@pickles", NpgsqlDbType.Bytea, commits.Select(c => c.Pickle).ToArray())
            .With("@now", now);

        var consumed = commits.Where(c => c.ConsumedThrough > 0).ToArray();
        if (consumed.Length > 0)
            s.Queue("""
                DELETE FROM inbox b USING unnest(@ids, @throughs) AS c(id, through)
                WHERE b."InstanceId" = c.id AND b."Id" <= c.through
                """)
                .WithArray("@ids", NpgsqlDbType.Text, consumed.Select(c => c.InstanceId).ToArray())
                .WithArray("@throughs", NpgsqlDbType.Bigint, consumed.Select(c => c.ConsumedThrough).ToArray());

        // In the turns' order (WITH ORDINALITY): task ids grow in the order the activities were started.
        var activities = commits.SelectMany(c => c.Activities.Select(a => (c.InstanceId, Activity: a))).ToArray();
        if (activities.Length > 0)
            s.Queue("""
                INSERT INTO activity_tasks ("InstanceId", "Sequence", "Name", "ArgumentsJson", "Retries", "TimeoutSeconds", "Attempts", "CreatedAt")
                SELECT a.id, a.sequence, a.name, a.arguments, a.retries, a.timeout, 0, @now
                FROM unnest(@ids, @sequences, @names, @arguments, @retries, @timeouts) WITH ORDINALITY
                    AS a(id, sequence, name, arguments, retries, timeout, n)
                ORDER BY a.n
                ON CONFLICT DO NOTHING
                """)
                .WithArray("@ids", NpgsqlDbType.Text, activities.Select(a => a.InstanceId).ToArray())
                .WithArray("@sequences", NpgsqlDbType.Integer, activities.Select(a => a.Activity.Sequence).ToArray())
                .WithArray("@names", NpgsqlDbType.Text, activities.Select(a => a.Activity.Name).ToArray())
                .WithArray("@arguments", NpgsqlDbType.Text, activities.Select(a => a.Activity.ArgumentsJson).ToArray())
                .WithArray("@retries", NpgsqlDbType.Integer, activities.Select(a => a.Activity.Retries).ToArray())
                .WithArray("@timeouts", NpgsqlDbType.Double, activities.Select(a => a.Activity.TimeoutSeconds).ToArray())
                .With("@now", now);

        var timers = commits.SelectMany(c => c.Timers.Select(t => (c.InstanceId, Timer: t))).ToArray();
        if (timers.Length > 0)
            s.Queue("""
                INSERT INTO timers ("InstanceId", "Sequence", "DueAt", "CreatedAt")
                SELECT t.id, t.sequence, t.due, @now FROM unnest(@ids, @sequences, @dues) AS t(id, sequence, due)
                ON CONFLICT DO NOTHING
                """)
                .WithArray("@ids", NpgsqlDbType.Text, timers.Select(t => t.InstanceId).ToArray())
                .WithArray("@sequences", NpgsqlDbType.Integer, timers.Select(t => t.Timer.Sequence).ToArray())
                .WithArray("@dues", NpgsqlDbType.Bigint, timers.Select(t => UnixTime.Ms(t.Timer.DueAt)).ToArray())
                .With("@now", now);

        foreach (var (commit, row) in wave)
        {
            var id = commit.InstanceId;
            foreach (var child in commit.Children) StartChild(s, id, child, now, currentPrograms[child.Workflow]);
            foreach (var sequence in commit.Cancelled)
            {
                s.Queue("DELETE FROM timers WHERE \"InstanceId\" = @id AND \"Sequence\" = @sequence").With("@id", id).With("@sequence", sequence);
                s.Queue("DELETE FROM activity_tasks WHERE \"InstanceId\" = @id AND \"Sequence\" = @sequence").With("@id", id).With("@sequence", sequence);
                // Only a child this instance started (a future that was not a child has no such row).
                Deliver(s, ChildInstances.Id(id, sequence), InboxKind.Cancel, 0, null, null, now, parentId: id);
            }
            if (StoredNames.IsFinal(commit.Status)) Finish(s, commit, row.ParentId, row.ParentSequence, now);
        }
    }

    /// <summary>
    /// Starts the child on [hash], the current version of its workflow; a child that exists already
    /// is left alone. With no such workflow deployed (a null hash), the parent gets ChildFailed instead.
    /// </summary>
    private static void StartChild(PostgresSession s, string parentId, ChildRequest child, long now, string? hash)
    {
        if (ChildInstances.TooDeep(parentId, child.Workflow) is { } tooDeep)
        {
            Deliver(s, parentId, InboxKind.ChildFailed, child.Sequence, null, tooDeep, now);
            return;
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
        s.Queue($"""
            WITH ready AS (
                UPDATE instances SET "Ready" = TRUE, "ReadySince" = CASE WHEN "Ready" AND "ReadySince" IS NOT NULL THEN "ReadySince" ELSE @now END
                WHERE "ParentId" = @id AND {NotFinal}
                RETURNING "Id")
            INSERT INTO inbox ("InstanceId", "Kind", "Sequence", "CreatedAt")
            SELECT "Id", @kind, 0, @now FROM ready
            """).With("@id", id).With("@kind", StoredNames.Of(InboxKind.Cancel)).With("@now", now);
        s.Queue("DELETE FROM timers WHERE \"InstanceId\" = @id").With("@id", id);
        s.Queue("DELETE FROM activity_tasks WHERE \"InstanceId\" = @id").With("@id", id);
        s.Queue("DELETE FROM inbox WHERE \"InstanceId\" = @id").With("@id", id);
    }
}
