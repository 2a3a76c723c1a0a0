using Workflow.Persistence;

namespace Workflow.Migrations.Sqlite;

/// <summary>
/// The way in to a SQLite workflow database. It lives here, beside the migrations, and not in
/// Workflow.Persistence, because the migrations project references persistence and not the other
/// way round: a host that can call Open ships the migrations Open applies, which the compiler checks.
/// </summary>
internal static class SqliteWorkflowDatabase
{
    /// <summary>This assembly's name: where EF Core looks for the migrations (MigrationsAssembly).</summary>
    public static readonly string MigrationsAssembly = typeof(SqliteWorkflowDatabase).Assembly.GetName().Name!;

    /// <summary>Opens the workflow database in the SQLite file at [path], creating it or migrating it to the current schema.</summary>
    public static WorkflowStore Open(string path, SqliteStoreOptions? options = null) =>
        WorkflowStore.Open(path, MigrationsAssembly, options);
}
