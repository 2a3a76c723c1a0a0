using Workflow.Persistence;

namespace Workflow.Migrations.Postgres;

/// <summary>
/// The way in to a PostgreSQL workflow database, beside its migrations (as SqliteWorkflowDatabase is
/// for SQLite): a host that can call Open ships the migrations Open applies.
/// </summary>
internal static class PostgresWorkflowDatabase
{
    /// <summary>This assembly's name: where EF Core looks for the migrations (MigrationsAssembly).</summary>
    public static readonly string MigrationsAssembly = typeof(PostgresWorkflowDatabase).Assembly.GetName().Name!;

    /// <summary>
    /// Opens the workflow database named in [connectionString], migrating it to the current schema.
    /// The database must exist; the role needs the rights to create tables in it when migrations are pending.
    /// </summary>
    public static PostgresWorkflowStore Open(string connectionString, PostgresStoreOptions? options = null) =>
        PostgresWorkflowStore.Open(connectionString, MigrationsAssembly, options);
}
