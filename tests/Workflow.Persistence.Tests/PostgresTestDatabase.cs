using Npgsql;
using Workflow.Durable;
using Workflow.Migrations.Postgres;

namespace Workflow.Persistence.Tests;

/// <summary>
/// A database of its own on the test server (WF_POSTGRES, see Server), created empty and dropped
/// WITH (FORCE) on dispose, so tests running in parallel never see each other's rows.
/// </summary>
internal sealed class PostgresTestDatabase : TestDatabase
{
    /// <summary>The server's connection string: WF_POSTGRES, or the local test server's. Its database is used only to create and drop the tests' own.</summary>
    public static readonly string Server =
        Environment.GetEnvironmentVariable("WF_POSTGRES") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : "Host=127.0.0.1;Port=5432;Username=workflow;Password=workflow;Database=workflow_tests";

    private static readonly NpgsqlDataSource Admin = NpgsqlDataSource.Create(Server);

    public PostgresTestDatabase()
    {
        Name = $"wf_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{Name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = Name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public override IWorkflowStore Open(TimeProvider clock) =>
        PostgresWorkflowDatabase.Open(ConnectionString, new PostgresStoreOptions { Clock = clock });

    /// <summary>A connection of its own to this database, outside any store (to hold locks, to inspect the schema).</summary>
    public NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public override void DropWorkerHold(string workerId)
    {
        using var connection = Connect();
        using var command = new NpgsqlCommand("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND application_name = @name", connection);
        command.Parameters.AddWithValue("@db", Name);
        command.Parameters.AddWithValue("@name", "workflow worker " + workerId);
        if ((long)command.ExecuteScalar()! != 1) throw new InvalidOperationException($"no lock connection of worker {workerId}");
        // pg_terminate_backend only signals the backend: its locks go when it has exited (and it leaves
        // pg_stat_activity a moment before it releases them).
        using var gone = new NpgsqlCommand(
            "SELECT (SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db AND application_name = @name)"
            + " + (SELECT COUNT(*) FROM pg_locks l WHERE l.locktype = 'advisory' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid))",
            connection);
        gone.Parameters.AddWithValue("@db", Name);
        gone.Parameters.AddWithValue("@name", "workflow worker " + workerId);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((long)gone.ExecuteScalar()! != 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the lock connection of worker {workerId} did not end");
            Thread.Sleep(10);
        }
    }

    public override void Dispose()
    {
        // Stores dispose their own pools; Connect's connections and EF's go to Npgsql's global pool.
        using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        Execute($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static void Execute(string sql)
    {
        using var command = Admin.CreateCommand(sql);
        command.ExecuteNonQuery();
    }
}
