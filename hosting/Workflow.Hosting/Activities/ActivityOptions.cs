namespace Workflow.Hosting.Activities;

/// <summary>
/// How activity tasks are run. A script's `retries=` and `timeout=` override [Retries] and [Timeout]
/// for its call. Checked once by <see cref="Validate"/> (the worker calls it when it is created), which
/// throws one ArgumentException listing every problem.
/// </summary>
public sealed class ActivityOptions
{
    /// <summary>Polly's timeout strategy accepts no less than this.</summary>
    internal static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>Polly's timeout strategy accepts no more than this.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    /// <summary>Attempts after the first, for calls without `retries=`. The default value is 3; 0 or more.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>Time allowed per attempt, for calls without `timeout=`. The default value is 30 seconds; from 10 ms to 24 hours.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The median delay before the first retry; later ones double (exponential backoff with jitter).
    /// The default value is 1 second; zero or more, at most [MaxDelay].
    /// </summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts. The default value is 1 minute; at most 1 day.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many tasks run at once in one worker. The default value is 64; 1 or more.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>
    /// The most tasks claimed in one transaction (and never more than the free slots of
    /// [MaxConcurrency]). The default value is 100, as many as a turn worker commits in one batch;
    /// 1 or more.
    /// </summary>
    public int ClaimBatchSize { get; set; } = 100;

    /// <summary>
    /// How long a claim keeps a task from other workers. The worker running the task renews the lease
    /// every third of it for as long as the handler runs (and across the retries' delays), so an
    /// activity may run far longer than this, never twice at once; it only bounds how long a task
    /// stays with a worker that stopped renewing without dying (hung, or cut off from the database).
    /// A worker that died is found sooner, by its lost lock (see the README's "Crashes"). The default
    /// value is 15 seconds; from 1 second to 1 hour.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an idle worker waits before looking for tasks again, unless woken. The default value is 1 second; more than zero.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws one ArgumentException naming every value out of range.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid ActivityOptions: " + string.Join("; ", problems) + ".");
    }

    /// <summary>Every value out of range, described; empty when all are fine.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (Retries < 0) problems.Add($"Retries must be 0 or more (was {Retries})");
        if (Timeout < MinTimeout || Timeout > MaxTimeout) problems.Add($"Timeout must be from 10 ms to 24 hours (was {Timeout})");
        if (BaseDelay < TimeSpan.Zero) problems.Add($"BaseDelay must not be negative (was {BaseDelay})");
        if (MaxDelay < BaseDelay || MaxDelay > TimeSpan.FromDays(1)) problems.Add($"MaxDelay must be from BaseDelay to 1 day (was {MaxDelay})");
        if (MaxConcurrency < 1) problems.Add($"MaxConcurrency must be 1 or more (was {MaxConcurrency})");
        if (ClaimBatchSize < 1) problems.Add($"ClaimBatchSize must be 1 or more (was {ClaimBatchSize})");
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > TimeSpan.FromHours(1)) problems.Add($"LeaseDuration must be from 1 second to 1 hour (was {LeaseDuration})");
        if (PollInterval <= TimeSpan.Zero) problems.Add($"PollInterval must be more than zero (was {PollInterval})");
        return problems;
    }
}
