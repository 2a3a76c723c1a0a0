namespace Workflow.Hosting.Timers;

/// <summary>How the Quartz timer scheduler is set up; the defaults suit one worker process on SQLite.</summary>
internal sealed class TimerSchedulerOptions
{
    /// <summary>
    /// How far apart wake-ups are: timers due within one slot share a trigger, fired at the slot's
    /// end. The default value is 10 ms; from 1 ms to 1 second, whole milliseconds.
    /// </summary>
    public TimeSpan Slot { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How far ahead timers get their Quartz wake-ups. A timer due later gets none when it is
    /// committed; a planning pass every half horizon gives one to each timer that has come within
    /// the horizon. So Quartz's tables, and a start-up's reconcile, hold the timers due soon, not
    /// every sleeping instance: 100,000 instances asleep for a month cost no Quartz rows and no
    /// worker memory. The default value is 10 minutes; at least 10 seconds.
    /// </summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Jobs in flight at once, and triggers taken per acquisition round. The default value is 16; 1 or more.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>The most timers the pump stores in one Quartz transaction. The default value is 1000; 1 or more.</summary>
    public int ScheduleBatchSize { get; set; } = 1000;

    /// <summary>How often an idle Quartz looks at its tables (new triggers from this process wake it at once). The default value is 10 seconds; at least 1 second.</summary>
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long Quartz waits for the file's write lock. The default value is 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for wake-ups (Quartz's and the jobs'). The default value is TimeProvider.System.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Quartz's scheduler name; by default derived from the database file's path.</summary>
    public string? SchedulerName { get; set; }

    public void Validate()
    {
        var problems = new List<string>();
        if (Slot < TimeSpan.FromMilliseconds(1) || Slot > TimeSpan.FromSeconds(1) || Slot.Ticks % TimeSpan.TicksPerMillisecond != 0)
            problems.Add($"Slot must be whole milliseconds from 1 ms to 1 second (was {Slot})");
        if (Horizon < TimeSpan.FromSeconds(10)) problems.Add($"Horizon must be at least 10 seconds (was {Horizon})");
        if (MaxConcurrency < 1) problems.Add($"MaxConcurrency must be 1 or more (was {MaxConcurrency})");
        if (ScheduleBatchSize < 1) problems.Add($"ScheduleBatchSize must be 1 or more (was {ScheduleBatchSize})");
        if (IdleWaitTime < TimeSpan.FromSeconds(1)) problems.Add($"IdleWaitTime must be at least 1 second (was {IdleWaitTime})");
        if (BusyTimeout < TimeSpan.FromSeconds(1)) problems.Add($"BusyTimeout must be at least 1 second (was {BusyTimeout})");
        if (problems.Count > 0) throw new ArgumentException("invalid TimerSchedulerOptions: " + string.Join("; ", problems) + ".");
    }
}
