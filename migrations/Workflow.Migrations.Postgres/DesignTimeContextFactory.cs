using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Workflow.Persistence;

namespace Workflow.Migrations.Postgres;

/// <summary>What `dotnet ef` uses to build the model when it adds a migration (see ../README.md); never used at run time, and no server is contacted.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<WorkflowDbContext>
{
    public WorkflowDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseNpgsql("Host=localhost;Database=design_time", npgsql => npgsql.MigrationsAssembly(PostgresWorkflowDatabase.MigrationsAssembly))
            .Options);
}
