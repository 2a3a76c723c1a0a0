using Microsoft.Data.Sqlite;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Durable timers: the rows are the truth, the scheduler (Quartz) only fires them on time.</summary>
internal sealed partial class WorkflowStore
{
    public IReadOnlyList<TimerRow> ListTimers() => Transaction(writes: false, CallMode.Sync, s =>
        ReadTimers(s.Command("SELECT InstanceId, Sequence, DueAt FROM timers ORDER BY DueAt, InstanceId, Sequence"), CallMode.Sync)).SyncResult();

    public IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => Transaction(writes: false, CallMode.Sync, s =>
        ReadTimers(s.Command("SELECT InstanceId, Sequence, DueAt FROM timers WHERE DueAt <= @now ORDER BY DueAt LIMIT @max")
            .With("@now", UnixTime.Ms(now)).With("@max", Math.Max(0, max)), CallMode.Sync)).SyncResult();

    private static ValueTask<List<TimerRow>> ReadTimers(SqliteCommand command, CallMode mode) =>
        command.ReadAllAsync(mode, (SqliteDataReader reader) => new TimerRow(reader.GetString(0), reader.GetInt32(1), UnixTime.Time(reader.GetInt64(2))));

    /// <summary>Each row still there is deleted and becomes a TimerFired entry of its instance; a row fired already is skipped, so firing twice is harmless.</summary>
    public int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        if (timers.Count == 0) return 0;
        return Transaction(writes: true, s =>
        {
            var now = Now();
            var fired = 0;
            foreach (var timer in timers)
            {
                var deleted = s.Command("DELETE FROM timers WHERE InstanceId = @id AND Sequence = @sequence")
                    .With("@id", timer.InstanceId).With("@sequence", timer.Sequence).ExecuteNonQuery();
                if (deleted == 0) continue;
                fired++;
                Deliver(s, timer.InstanceId, InboxKind.TimerFired, timer.Sequence, null, null, now);
            }
            return fired;
        });
    }
}
