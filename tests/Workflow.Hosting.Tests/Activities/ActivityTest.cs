using Workflow.Hosting.Activities;

namespace Workflow.Hosting.Tests.Activities;

/// <summary>A real store behind a spy, a registry, and options with tiny backoff delays.</summary>
public abstract class ActivityTest : HostingTest
{
    internal readonly SpyStore Spy;
    internal readonly ActivityRegistry Registry = new();
    internal readonly ListLogger<ActivityWorker> Log = new();

    protected ActivityTest() => Spy = new SpyStore(Store);

    internal static ActivityOptions FastOptions() => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(10),
        PollInterval = TimeSpan.FromMilliseconds(50),
        Timeout = TimeSpan.FromSeconds(10),
    };

    internal ActivityWorker Worker(ActivityOptions? options = null, TimeProvider? time = null, Action? onCompleted = null) =>
        new(Spy, Registry, options ?? FastOptions(), Log, time, onCompleted);
}
