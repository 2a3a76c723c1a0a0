using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>A database of its own for one test, removed when the test is disposed; it can be opened as a store any number of times.</summary>
internal abstract class TestDatabase : IDisposable
{
    public static TestDatabase Create(StoreKind kind) => kind switch
    {
        StoreKind.Sqlite => new SqliteTestDatabase(),
        StoreKind.Postgres => new PostgresTestDatabase(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no test database for this kind of store"),
    };

    /// <summary>Opens (migrating on the first call) a store on this database whose own times come from [clock].</summary>
    public abstract IWorkflowStore Open(TimeProvider clock);

    /// <summary>
    /// Drops the hold [workerId]'s registration has, as the OS or the server does when its process
    /// dies, while the registration object lives on: SQLite deletes its lock file (a checker then
    /// finds no lock), PostgreSQL terminates its lock connection (the server releases its advisory lock).
    /// </summary>
    public abstract void DropWorkerHold(string workerId);

    public abstract void Dispose();
}
