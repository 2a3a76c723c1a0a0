using System.Globalization;
using Quartz;
using Quartz.Extensibility;

namespace Workflow.Hosting.Timers;

/// <summary>
/// The one Quartz job every wake-up trigger fires. A trigger stands for a slot of time (see
/// <see cref="QuartzTimerScheduler"/>); its job data holds the slot's end, and the job has the
/// <see cref="TimerFirer"/> fire every timer row due by then. It never runs ahead of that time:
/// should Quartz fire a millisecond early, the job waits, so no timer fires before it is due.
/// </summary>
internal sealed class TimerJob(TimerFirer firer, TimeProvider time) : IJob
{
    public const string WakeKey = "wake";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var wake = Read(context.MergedJobDataMap);
        var early = wake - time.GetUtcNow().UtcDateTime;
        if (early > TimeSpan.Zero) await Task.Delay(early, time, cancellationToken);
        await firer.FireDueAsync(wake, cancellationToken);
    }

    /// <summary>Job data as a string (the store keeps it as name/value text): the wake-up time in UTC ticks.</summary>
    public static JobDataMap Write(DateTime wake) => new()
    {
        [WakeKey] = wake.Ticks.ToString(CultureInfo.InvariantCulture),
    };

    public static DateTime Read(JobDataMap data) =>
        data.TryGetValue(WakeKey, out var value) && value is string text
            ? new DateTime(long.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc)
            : throw new InvalidOperationException($"timer trigger has no '{WakeKey}' in its job data");

    /// <summary>Builds every TimerJob with this scheduler's firer (Quartz's own factory would look in a container).</summary>
    public sealed class Factory(TimerFirer firer, TimeProvider time) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new JobScope(new TimerJob(firer, time), null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
