using Microsoft.Extensions.DependencyInjection;
using Workflow.Hosting.Tests.Api;

namespace Workflow.Examples.Tests;

/// <summary>A clock the tests move by hand: a drip campaign's days pass in milliseconds.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow()
    {
        lock (this) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (this) _now += by;
    }
}

/// <summary>A host as `wf serve --programs examples` runs it: every example deployed from the repository's examples folder.</summary>
internal static class ExampleHost
{
    public static string ExamplesFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Workflow.sln"))) directory = directory.Parent;
        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("the tests do not run inside the repository"), "examples");
    }

    /// <summary>Starts the host; with [clock], every part of the runtime (now(), timers, leases) reads that clock.</summary>
    public static Task<ApiHost> StartAsync(ManualClock? clock = null) => ApiHost.StartAsync(
        configure: options => options.ProgramsDirectory = ExamplesFolder(),
        services: clock == null ? null : services => services.AddSingleton<TimeProvider>(clock));
}
