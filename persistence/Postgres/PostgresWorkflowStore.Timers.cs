using Npgsql;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Durable timers: the rows are the truth, the scheduler (Quartz) only fires them on time.</summary>
internal sealed partial class PostgresWorkflowStore
{
    public IReadOnlyList<TimerRow> ListTimers() => Read(s =>
        ReadTimers(s.Command("SELECT \"InstanceId\", \"Sequence\", \"DueAt\" FROM timers ORDER BY \"DueAt\", \"InstanceId\", \"Sequence\"")));

    public IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => Read(s =>
        ReadTimers(s.Command("SELECT \"InstanceId\", \"Sequence\", \"DueAt\" FROM timers WHERE \"DueAt\" <= @now ORDER BY \"DueAt\" LIMIT @max")
            .With("@now", UnixTime.Ms(now)).With("@max", Math.Max(0, max))));

    private static List<TimerRow> ReadTimers(NpgsqlCommand command)
    {
        var timers = new List<TimerRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) timers.Add(new TimerRow(reader.GetString(0), reader.GetInt32(1), UnixTime.Time(reader.GetInt64(2))));
        return timers;
    }

    /// <summary>
    /// Each row still there is deleted and becomes a TimerFired entry of its instance; a row fired
    /// already is skipped, so firing twice is harmless. Two processes firing the same row at once
    /// fire it once: the second waits for the first one's transaction (at the instance lock, or at the
    /// row) and then its DELETE … RETURNING returns nothing.
    /// </summary>
    public int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        if (timers.Count == 0) return 0;
        var ids = timers.Select(t => t.InstanceId).Distinct().ToArray();
        return Write(s =>
        {
            LockInstances(s, ids);
            var now = Now();
            var fired = 0;
            foreach (var timer in timers)
            {
                var deleted = s.Command("DELETE FROM timers WHERE \"InstanceId\" = @id AND \"Sequence\" = @sequence RETURNING \"Sequence\"")
                    .With("@id", timer.InstanceId).With("@sequence", timer.Sequence).ExecuteScalar();
                if (deleted == null) continue;
                fired++;
                Deliver(s, timer.InstanceId, InboxKind.TimerFired, timer.Sequence, null, null, now);
            }
            return fired;
        });
    }
}
