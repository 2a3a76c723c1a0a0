using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Workflow.Migrations.Sqlite;

namespace Workflow.Persistence.Tests;

/// <summary>The SQLite migrations (Workflow.Migrations.Sqlite) against the model, on files of their own; PostgresMigrationTests is the PostgreSQL side.</summary>
public sealed class SqliteMigrationTests
{
    private static WorkflowDbContext Context(string path) =>
        new(new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseSqlite($"Data Source={path};Pooling=False", o => o.MigrationsAssembly(SqliteWorkflowDatabase.MigrationsAssembly))
            .Options);

    [Fact]
    public void The_migrations_are_in_step_with_the_model()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wf-migrations-").FullName, "wf.db");
        using var db = Context(path);
        Assert.True(db.Database.GetMigrations().Any(), "no migrations found in Workflow.Migrations.Sqlite");
        // Fails after a model change with no migration: see migrations/README.md.
        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration: run `dotnet ef migrations add` (migrations/README.md)");
    }

    /// <summary>A process killed inside EF's Migrate leaves its lock row behind (found by the SIGKILL tests).</summary>
    [Fact]
    public async Task A_lock_left_by_a_killed_process_does_not_hang_the_next_open()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wf-migrations-").FullName, "wf.db");
        SqliteWorkflowDatabase.Open(path).Dispose();
        Execute(path, "CREATE TABLE IF NOT EXISTS \"__EFMigrationsLock\" (\"Id\" INTEGER PRIMARY KEY, \"Timestamp\" TEXT NOT NULL);" +
            $"INSERT INTO \"__EFMigrationsLock\" VALUES (1, '{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss.fffffff}+00:00')");
        // Nothing is pending: the fresh lock is not even looked at.
        await Task.Run(() => SqliteWorkflowDatabase.Open(path).Dispose()).WaitAsync(TimeSpan.FromSeconds(20)); // TimeoutException: Open waited for the abandoned lock

        // Something is pending (a file from before the migrations) and the lock is old: it is taken for a crashed migrator's.
        var older = Path.Combine(Directory.CreateTempSubdirectory("wf-migrations-").FullName, "wf.db");
        Execute(older, "CREATE TABLE \"__EFMigrationsLock\" (\"Id\" INTEGER PRIMARY KEY, \"Timestamp\" TEXT NOT NULL);" +
            $"INSERT INTO \"__EFMigrationsLock\" VALUES (1, '{DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-dd HH:mm:ss.fffffff}+00:00')");
        await Task.Run(() => SqliteWorkflowDatabase.Open(older).Dispose()).WaitAsync(TimeSpan.FromSeconds(20));
        using var db = Context(older);
        Assert.Empty(db.Database.GetPendingMigrations());
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void Opening_an_empty_file_creates_every_table_and_column_of_the_model()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wf-migrations-").FullName, "wf.db");
        SqliteWorkflowDatabase.Open(path).Dispose();

        using var db = Context(path);
        Assert.Empty(db.Database.GetPendingMigrations());
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).ToList();
        Assert.Equal(["activity_tasks", "deployments", "health_probe", "inbox", "instances", "journal", "programs", "timers", "workers"], tables.Order());
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = Query(connection, $"SELECT name FROM pragma_table_info('{table}')");
            Assert.Equal(entity.GetProperties().Select(p => p.GetColumnName()).Order(), columns.Order());
            var indexes = Query(connection, $"SELECT name FROM pragma_index_list('{table}') WHERE origin = 'c'");
            Assert.Equal(entity.GetIndexes().Select(i => i.GetDatabaseName()!).Order(), indexes.Order());
        }
        Assert.Equal("wal", Query(connection, "PRAGMA journal_mode").Single());
    }

    [Fact]
    public void Opening_a_migrated_file_again_keeps_its_rows()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wf-migrations-").FullName, "wf.db");
        using (var store = SqliteWorkflowDatabase.Open(path)) store.SaveProgram("a", "x = 1\n", "h1");
        using (var store = SqliteWorkflowDatabase.Open(path)) Assert.Equal("a", store.GetProgram("h1")!.Name);
    }

    [Fact]
    public void A_file_made_by_the_first_migration_is_upgraded_and_keeps_each_names_current_version()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wf-migrations-").FullName, "wf.db");
        using (var db = Context(path))
        {
            db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().Migrate("20261125043852_InitialSchema");
            db.Database.ExecuteSqlRaw("INSERT INTO programs (Hash, Name, Source, CreatedAt) VALUES ('h1', 'order', 'v1', 1000), ('h2', 'order', 'v2', 2000), ('h3', 'refund', 'r1', 1500)");
        }
        using var store = SqliteWorkflowDatabase.Open(path);
        Assert.Equal("h2", store.GetLatestProgram("order")!.Hash);
        Assert.Equal("h3", store.GetLatestProgram("refund")!.Hash);
        Assert.Empty(store.GetProgram("h1")!.Modules);
    }

    private static List<string> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }
}
