using System.Collections.Concurrent;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Workflow.Hosting.Activities;

/// <summary>
/// The Polly pipelines activities run through: retry (exponential backoff with jitter) around a
/// per-attempt timeout, one per (retries, timeout) pair, built on first use and cached. The
/// pipelines are shared, so what differs per task (its stored attempt count, its id) travels in the
/// ResilienceContext as an <see cref="ActivityRun"/>: the retry asks the run whether budget is left
/// and has it record each failed attempt before the delay.
/// </summary>
internal sealed class ActivityPipelines(ActivityOptions options, TimeProvider time)
{
    public static readonly ResiliencePropertyKey<ActivityRun> RunKey = new("workflow.activity-run");

    private readonly ConcurrentDictionary<(int Retries, TimeSpan Timeout), ResiliencePipeline> _cache = new();

    public int Count => _cache.Count;

    public ResiliencePipeline Get(int retries, TimeSpan timeout) => _cache.GetOrAdd((retries, timeout), Build);

    private ResiliencePipeline Build((int Retries, TimeSpan Timeout) key)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        // Polly's retry needs at least one retry; with none there is only the timeout.
        if (key.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = key.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(Run(args.Context).ShouldRetry(args.Outcome.Exception)),
                OnRetry = args => Run(args.Context).OnRetry(args.Outcome.Exception!, args.RetryDelay),
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = key.Timeout });
        return builder.Build();
    }

    private static ActivityRun Run(ResilienceContext context) =>
        context.Properties.TryGetValue(RunKey, out var run) ? run : throw new InvalidOperationException("activity pipeline run without its ActivityRun");

    /// <summary>What a final failure says: the cause's message, or for a timeout, that it timed out and after how long.</summary>
    public static string Describe(Exception error, string activity, TimeSpan timeout) => error switch
    {
        TimeoutRejectedException => $"activity '{activity}' timed out after {timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s",
        _ => error.Message,
    };
}
