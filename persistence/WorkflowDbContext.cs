using Microsoft.EntityFrameworkCore;

namespace Workflow.Persistence;

/// <summary>The EF Core model of the workflow database: program versions and instances.</summary>
public sealed class WorkflowDbContext : DbContext
{
    public WorkflowDbContext(DbContextOptions<WorkflowDbContext> options) : base(options) { }

    public DbSet<ProgramVersionRecord> Programs => Set<ProgramVersionRecord>();
    public DbSet<InstanceRecord> Instances => Set<InstanceRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ProgramVersionRecord>(e =>
        {
            e.ToTable("programs");
            e.HasKey(p => p.Hash);
            e.HasIndex(p => p.Name);
        });
        model.Entity<InstanceRecord>(e =>
        {
            e.ToTable("instances");
            e.HasKey(i => i.Id);
            e.Property(i => i.Revision).IsConcurrencyToken();
            e.HasIndex(i => new { i.Status, i.UpdatedAt });
            e.HasIndex(i => i.Workflow);
            e.HasOne<ProgramVersionRecord>().WithMany().HasForeignKey(i => i.ProgramHash);
        });
    }
}
