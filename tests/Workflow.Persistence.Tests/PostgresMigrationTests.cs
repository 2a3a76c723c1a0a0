using Microsoft.EntityFrameworkCore;
using Npgsql;
using Workflow.Migrations.Postgres;

namespace Workflow.Persistence.Tests;

/// <summary>The PostgreSQL migrations (Workflow.Migrations.Postgres) against the model, on empty databases of their own.</summary>
public sealed class PostgresMigrationTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private WorkflowDbContext Context() =>
        new(new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseNpgsql(_database.ConnectionString, o => o.MigrationsAssembly(PostgresWorkflowDatabase.MigrationsAssembly))
            .Options);

    [Fact]
    public void The_migrations_are_in_step_with_the_model()
    {
        using var db = Context();
        Assert.True(db.Database.GetMigrations().Any(), "no migrations found in Workflow.Migrations.Postgres");
        // Fails after a model change with no migration: see migrations/README.md.
        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a PostgreSQL migration: run `dotnet ef migrations add` (migrations/README.md)");
    }

    [Fact]
    public void Opening_an_empty_database_creates_every_table_column_and_index_of_the_model()
    {
        PostgresWorkflowDatabase.Open(_database.ConnectionString).Dispose();

        using var db = Context();
        Assert.Empty(db.Database.GetPendingMigrations());
        using var connection = _database.Connect();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).ToList();
        Assert.Equal(["activity_tasks", "deployments", "health_probe", "inbox", "instances", "journal", "programs", "timers", "workers"], tables.Order());
        Assert.Equal(
            ["__EFMigrationsHistory", .. tables.Order(StringComparer.Ordinal)],
            Query(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name COLLATE \"C\""));
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = Query(connection, $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'");
            Assert.Equal(entity.GetProperties().Select(p => p.GetColumnName()).Order(), columns.Order());
            var indexes = Query(connection, $"SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = '{table}' AND indexname NOT LIKE 'PK\\_%'");
            Assert.Equal(entity.GetIndexes().Select(i => i.GetDatabaseName()!).Order(), indexes.Order());
        }
    }

    [Fact]
    public void Opening_a_migrated_database_again_keeps_its_rows_and_applies_nothing()
    {
        using (var store = PostgresWorkflowDatabase.Open(_database.ConnectionString)) store.SaveProgram("a", "x = 1\n", "h1");
        using (var store = PostgresWorkflowDatabase.Open(_database.ConnectionString)) Assert.Equal("a", store.GetProgram("h1")!.Name);
        using var db = Context();
        Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
    }

    [Fact]
    public async Task Processes_opening_an_empty_database_at_once_migrate_it_once()
    {
        var opening = Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresWorkflowDatabase.Open(_database.ConnectionString))).ToList();
        var stores = await Task.WhenAll(opening);
        foreach (var store in stores) store.Dispose();
        using var db = Context();
        Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
    }

    private static List<string> Query(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }
}
