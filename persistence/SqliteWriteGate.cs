namespace Workflow.Persistence;

/// <summary>
/// The SQLite store's writers, one at a time. SQLite has one writer at a time, and the threads of
/// this process queue here rather than in SQLite's busy handler, which sleeps in steps of
/// milliseconds; the busy timeout is left for other processes (and Quartz's connection) writing the
/// same file. A request awaits its turn holding no thread (Async); a worker's loop waits on its own
/// thread (Sync). Both queue in one line, in the order they came: a worker committing batch after
/// batch cannot keep a request out, nor the other way round.
/// </summary>
internal sealed class SqliteWriteGate
{
    // A SemaphoreSlim keeps the waiters of WaitAsync in one line, in arrival order, but those of
    // Wait apart from it (spinning, then on a monitor), so that which kind goes next has nothing to
    // do with who came first: both kinds queue through WaitAsync.
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private int _waiting;

    /// <summary>How many callers hold the gate or have their place in its line (tests watch it to know that calls are queued).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for the gate as [mode] says: on this thread (Sync), or awaiting it, cancelled by the mode's token (Async). Exit lets the next one in.</summary>
    public async ValueTask Enter(CallMode mode)
    {
        var turn = _semaphore.WaitAsync(mode.Cancellation);
        Interlocked.Increment(ref _waiting);
        try
        {
            if (mode.IsAsync) await turn;
            else turn.GetAwaiter().GetResult(); // a worker's own thread: blocking it is what Sync means
        }
        catch
        {
            Interlocked.Decrement(ref _waiting);
            throw;
        }
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _waiting);
        _semaphore.Release();
    }
}
