namespace Workflow.Tests.Shared;

/// <summary>
/// Watches the thread pool while a test has calls parked (waiting for a lock they should await, not
/// block on): how far the pool grew since the watch began, and whether its queue drained. Linked into
/// the test projects that show requests hold no threads. Nothing here is timed tightly: the waits
/// are for conditions, with a deadline far beyond what a passing run needs.
/// </summary>
internal sealed class ThreadPoolWatch
{
    private readonly int _before = ThreadPool.ThreadCount;
    private int _most = ThreadPool.ThreadCount;

    /// <summary>The most threads the pool had at any look, less those it had when the watch began.</summary>
    public int Grown
    {
        get
        {
            Look();
            return _most - _before;
        }
    }

    /// <summary>
    /// Polls until [condition] holds, looking at the pool each time; throws, naming [what] and the
    /// pool's state, after [timeout] (a minute by default). It sleeps on the calling thread rather than
    /// awaiting Task.Delay, whose timer completes through the thread pool: a starved pool, which is
    /// what the tests look for, would hold the watch up with everything else.
    /// </summary>
    public void Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            Look();
            if (condition()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen; the thread pool grew from {_before} to {_most} threads and has {ThreadPool.PendingWorkItemCount} work items queued");
            Thread.Sleep(10);
        }
    }

    private void Look() => _most = Math.Max(_most, ThreadPool.ThreadCount);
}

/// <summary>The tests that watch the thread pool run alone, after the others, so that no other test's threads are counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolTests
{
    public const string Name = "thread pool";
}
