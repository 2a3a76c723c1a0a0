using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Workflow.Persistence;

namespace Workflow.Migrations.Sqlite;

/// <summary>What `dotnet ef` uses to build the model when it adds a migration (see ../README.md); never used at run time.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<WorkflowDbContext>
{
    public WorkflowDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseSqlite("Data Source=design-time.db", sqlite => sqlite.MigrationsAssembly(SqliteWorkflowDatabase.MigrationsAssembly))
            .Options);
}
