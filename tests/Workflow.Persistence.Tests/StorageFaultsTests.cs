using Microsoft.Data.Sqlite;
using Npgsql;
using Workflow.Durable;
using Workflow.Migrations.Postgres;
using Workflow.Migrations.Sqlite;

namespace Workflow.Persistence.Tests;

/// <summary>
/// StorageFaults on the errors the providers really raise: each fault is made happen (a full file, a
/// read-only one, a held lock, a server that is not there or ends the connection), not constructed.
/// Only PostgreSQL's SQLSTATE table is checked on built exceptions: a full disk cannot be made here.
/// </summary>
public sealed class StorageFaultsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wf-faults-").FullName;

    private string NewPath() => Path.Combine(_directory, $"{Guid.NewGuid():N}.db");

    private static SqliteConnection Connect(string path, string extra = "")
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;{extra}");
        connection.Open();
        return connection;
    }

    /// <summary>[error] and the exceptions inside it.</summary>
    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e != null; e = e.InnerException) yield return e;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void A_store_whose_file_is_full_fails_its_writes_as_full()
    {
        // max_page_count is raised to the file's size as it is: nothing may grow it.
        var path = NewPath();
        SqliteWorkflowDatabase.Open(path).Dispose();
        using var store = SqliteWorkflowDatabase.Open(path, new SqliteStoreOptions { ExtraPragmas = "PRAGMA max_page_count = 1;" });
        var error = Assert.ThrowsAny<Exception>(() => store.SaveProgram("big", new string('#', 1 << 20), "hash-big"));
        Assert.Equal(13, Assert.IsType<SqliteException>(error).SqliteErrorCode);
        Assert.Equal(StorageFault.Full, StorageFaults.Classify(error));
        // Wrapped, as a caller may wrap it, it is still the same fault.
        Assert.Equal(StorageFault.Full, StorageFaults.Classify(new InvalidOperationException("deploying failed", error)));
    }

    [Fact]
    public void A_write_to_a_read_only_database_is_unavailable()
    {
        var path = NewPath();
        SqliteWorkflowDatabase.Open(path).Dispose();
        using var store = SqliteWorkflowDatabase.Open(path, new SqliteStoreOptions { ExtraPragmas = "PRAGMA query_only = 1;" });
        var error = Assert.ThrowsAny<Exception>(() => store.ProbeWrite(DateTime.UtcNow));
        Assert.Equal(8, Assert.IsType<SqliteException>(error).SqliteErrorCode);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(error));
    }

    [Fact]
    public void A_write_lock_held_past_the_busy_timeout_is_unavailable()
    {
        var path = NewPath();
        SqliteWorkflowDatabase.Open(path).Dispose();
        using var holder = Connect(path);
        Execute(holder, "BEGIN IMMEDIATE");
        using var store = SqliteWorkflowDatabase.Open(path, new SqliteStoreOptions { BusyTimeout = TimeSpan.FromSeconds(1) });
        var error = Assert.ThrowsAny<Exception>(() => store.ProbeWrite(DateTime.UtcNow));
        Assert.Equal(5, Assert.IsType<SqliteException>(error).SqliteErrorCode);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(error));
    }

    [Fact]
    public void A_file_that_is_not_a_database_or_cannot_be_opened_is_unavailable()
    {
        var garbage = NewPath();
        File.WriteAllText(garbage, new string('x', 4096));
        var notADatabase = Assert.ThrowsAny<Exception>(() => SqliteWorkflowDatabase.Open(garbage).Dispose());
        Assert.Equal(26, Assert.IsType<SqliteException>(notADatabase).SqliteErrorCode);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(notADatabase));

        // Under a regular file, not even root can make a database.
        var cannotOpen = Assert.ThrowsAny<Exception>(() => SqliteWorkflowDatabase.Open(Path.Combine(garbage, "wf.db")).Dispose());
        Assert.Equal(14, Assert.IsType<SqliteException>(cannotOpen).SqliteErrorCode);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(cannotOpen));
    }

    [Fact]
    public void A_store_whose_file_was_deleted_fails_its_new_connections_and_makes_no_empty_file_in_its_place()
    {
        var path = NewPath();
        using var store = SqliteWorkflowDatabase.Open(path);
        store.ProbeWrite(DateTime.UtcNow);
        File.Delete(path);
        // A call that fails closes its connection, so the next call opens one (the store keeps no other idle).
        Assert.Throws<ArgumentException>(() => store.ListInstances(new InstanceQuery(Cursor: "not-a-cursor")));
        var error = Assert.ThrowsAny<Exception>(() => store.GetInstance("i1"));
        Assert.Equal(14, Assert.IsType<SqliteException>(error).SqliteErrorCode);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(error));
        Assert.False(File.Exists(path), "a connection made an empty database where the deleted one was");
    }

    [Fact]
    public void Errors_of_the_request_or_of_the_code_are_not_storage_faults()
    {
        using var connection = Connect(NewPath());
        Execute(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        Execute(connection, "INSERT INTO t VALUES (1)");
        var duplicate = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO t VALUES (1)"));
        Assert.Equal(StorageFault.None, StorageFaults.Classify(duplicate));
        var syntax = Assert.Throws<SqliteException>(() => Execute(connection, "SELEKT 1"));
        Assert.Equal(StorageFault.None, StorageFaults.Classify(syntax));
        Assert.Equal(StorageFault.None, StorageFaults.Classify(new InvalidOperationException("a bug")));
        Assert.Equal(StorageFault.None, StorageFaults.Classify(new ObjectDisposedException("store")));
    }

    [Fact]
    public void A_postgres_server_that_is_not_there_is_unavailable()
    {
        // Nothing listens on port 1: the connection is refused before any server answers.
        var error = Assert.ThrowsAny<Exception>(() =>
            PostgresWorkflowDatabase.Open("Host=127.0.0.1;Port=1;Database=wf;Username=wf;Password=wf;Timeout=5").Dispose());
        Assert.IsAssignableFrom<NpgsqlException>(error);
        Assert.IsNotType<PostgresException>(error);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(error));
    }

    [Fact]
    public void A_postgres_database_that_is_read_only_is_unavailable()
    {
        // What a standby answers to writes (read_only_sql_transaction), here for one database of the test server.
        using var database = new PostgresTestDatabase();
        using (var connection = database.Connect())
        using (var command = new NpgsqlCommand($"ALTER DATABASE \"{database.Name}\" SET default_transaction_read_only = on", connection))
        {
            command.ExecuteNonQuery();
        }
        // The store's own connections are new ones, so they start read-only; opening it migrates, which writes.
        var error = Assert.ThrowsAny<Exception>(() => database.Open(TimeProvider.System).Dispose());
        Assert.Contains(Chain(error), e => e is PostgresException { SqlState: "25006" });
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(error));
    }

    [Fact]
    public void A_postgres_connection_the_server_ended_is_unavailable()
    {
        using var database = new PostgresTestDatabase();
        using var store = database.Open(TimeProvider.System);
        store.ProbeWrite(DateTime.UtcNow);
        // An administrator ends every session on the database, the store's pooled ones too (57P01 on them).
        using (var connection = new NpgsqlConnection(PostgresTestDatabase.Server))
        {
            connection.Open();
            using var command = new NpgsqlCommand("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name", connection);
            command.Parameters.AddWithValue("name", database.Name);
            Assert.True((long)command.ExecuteScalar()! >= 1, "no session of the store was there to end");
        }
        var error = Assert.ThrowsAny<Exception>(() => store.ProbeWrite(DateTime.UtcNow));
        Assert.IsAssignableFrom<NpgsqlException>(error);
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(error));
    }

    [Theory]
    [InlineData("53100", "Full")] // disk_full
    [InlineData("53200", "Unavailable")] // out_of_memory
    [InlineData("53300", "Unavailable")] // too_many_connections
    [InlineData("08006", "Unavailable")] // connection_failure
    [InlineData("57P01", "Unavailable")] // admin_shutdown
    [InlineData("57P02", "Unavailable")] // crash_shutdown
    [InlineData("57P03", "Unavailable")] // cannot_connect_now
    [InlineData("25006", "Unavailable")] // read_only_sql_transaction
    [InlineData("23505", "None")] // unique_violation
    [InlineData("42P01", "None")] // undefined_table
    [InlineData("40P01", "None")] // deadlock_detected: the store retries it; one that is left is a bug to see
    public void Postgres_errors_are_told_by_their_sqlstate(string sqlState, string fault)
    {
        var error = new PostgresException("as the server would say it", "ERROR", "ERROR", sqlState);
        Assert.Equal(Enum.Parse<StorageFault>(fault), StorageFaults.Classify(error));
    }

    [Fact]
    public void A_bare_timeout_is_unavailable()
    {
        Assert.Equal(StorageFault.Unavailable, StorageFaults.Classify(new TimeoutException("The operation has timed out.")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
