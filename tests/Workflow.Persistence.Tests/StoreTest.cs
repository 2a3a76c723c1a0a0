using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// Each test gets a fresh store on a database of its own: a SQLite file in a temporary directory,
/// or a PostgreSQL database created for it. A test class is written once, abstract over [kind], with
/// one sealed subclass per StoreKind (`…OnSqlite`, `…OnPostgres`) so every assertion runs on both;
/// a class may add subclasses that make its calls through the Async methods (`…OnSqliteAsync`, see StoreCalls).
/// </summary>
public abstract class StoreTest : IDisposable
{
    internal const string Hash = "hash-v1";

    internal readonly ManualClock Clock = new();
    internal readonly TestDatabase Database;

    protected StoreTest(StoreKind kind, StoreCalls calls = StoreCalls.Sync)
    {
        Kind = kind;
        Calls = calls;
        Database = TestDatabase.Create(kind);
        try
        {
            Store = Open();
            Store.SaveProgram("order", "def main(input):\n    return input\n", Hash);
        }
        catch
        {
            Store?.Dispose();
            Database.Dispose();
            throw;
        }
    }

    internal StoreKind Kind { get; }

    internal StoreCalls Calls { get; }

    internal IWorkflowStore Store { get; private set; }

    private IWorkflowStore Open() => Calls == StoreCalls.Async ? new AsyncCallsStore(Database.Open(Clock)) : Database.Open(Clock);

    /// <summary>Closes the store and opens the same database again, as a restarted process would.</summary>
    internal void Reopen()
    {
        Store.Dispose();
        Store = Open();
    }

    internal DateTime Now => Clock.Now.UtcDateTime;

    internal InstanceView Start(string id, string? parentId = null, int parentSequence = 0) =>
        Store.StartInstance(new NewInstance(id, "order", Hash, "{}", parentId, parentSequence)).Instance;

    /// <summary>Claims everything ready with a one-minute lease.</summary>
    internal IReadOnlyList<ClaimedInstance> Claim(string worker = "w1", int max = 100) =>
        Store.ClaimInstances(worker, max, Now, Now.AddMinutes(1));

    internal ClaimedInstance ClaimOne(string id)
    {
        var claimed = Claim().Where(c => c.Instance.Id == id).ToList();
        Assert.Single(claimed);
        return claimed[0];
    }

    /// <summary>A commit of [claimed]'s turn: by default it waits, with a small pickle, having consumed the whole inbox it was given.</summary>
    internal static TurnCommit Turn(
        ClaimedInstance claimed,
        InstanceStatus status = InstanceStatus.Waiting,
        string? result = null,
        string? error = null,
        string? summary = null,
        ActivityRequest[]? activities = null,
        TimerRequest[]? timers = null,
        ChildRequest[]? children = null,
        int[]? cancelled = null,
        bool keepLease = false,
        long? revision = null) => new()
    {
        InstanceId = claimed.Instance.Id,
        Revision = revision ?? claimed.Revision,
        Status = status,
        Pickle = status == InstanceStatus.Waiting ? [1, 2, 3] : null,
        ResultJson = result,
        Error = error,
        ErrorSummary = summary,
        ConsumedThrough = claimed.Inbox.Count == 0 ? 0 : claimed.Inbox[^1].Id,
        Activities = activities ?? [],
        Timers = timers ?? [],
        Children = children ?? [],
        Cancelled = cancelled ?? [],
        KeepLease = keepLease,
    };

    internal long? CommitOne(TurnCommit commit) => Store.CommitTurns([commit]).Single();

    public void Dispose()
    {
        Store.Dispose();
        Database.Dispose();
    }
}
