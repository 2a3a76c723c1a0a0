namespace Workflow.Durable;

/// <summary>
/// Wakes the runtime when timers fall due. The timer rows in the database are the truth; a
/// scheduler only makes them fire on time (hosting/ does it with Quartz). After a crash, Reconcile
/// at start-up schedules every row again, and rows already due fire at once.
/// </summary>
internal interface ITimerScheduler
{
    /// <summary>Arranges for each timer to be fired (IWorkflowStore.FireTimers) at its due time; called after the turn that made them has committed.</summary>
    void Schedule(IReadOnlyList<TimerRow> timers);
}
