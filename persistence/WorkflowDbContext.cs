using Microsoft.EntityFrameworkCore;

namespace Workflow.Persistence;

/// <summary>
/// The EF Core model of the workflow database. It is the source of the schema (migrations/ is
/// generated from it) and serves the cold queries; the hot paths of WorkflowStore use prepared SQL
/// on the same tables, so a column renamed here must be renamed there too (the store's tests catch it).
/// </summary>
internal sealed class WorkflowDbContext : DbContext
{
    public WorkflowDbContext(DbContextOptions<WorkflowDbContext> options) : base(options) { }

    public DbSet<ProgramRecord> Programs => Set<ProgramRecord>();
    public DbSet<DeploymentRecord> Deployments => Set<DeploymentRecord>();
    public DbSet<InstanceRecord> Instances => Set<InstanceRecord>();
    public DbSet<InboxRecord> Inbox => Set<InboxRecord>();
    public DbSet<ActivityTaskRecord> ActivityTasks => Set<ActivityTaskRecord>();
    public DbSet<TimerRecord> Timers => Set<TimerRecord>();
    public DbSet<WorkerRecord> Workers => Set<WorkerRecord>();
    public DbSet<JournalRecord> Journal => Set<JournalRecord>();
    public DbSet<HealthProbeRecord> HealthProbe => Set<HealthProbeRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ProgramRecord>(e =>
        {
            e.ToTable("programs");
            e.HasKey(p => p.Hash);
            e.HasIndex(p => new { p.Name, p.CreatedAt });
        });
        model.Entity<DeploymentRecord>(e =>
        {
            e.ToTable("deployments");
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).ValueGeneratedOnAdd();
            e.HasOne<ProgramRecord>().WithMany().HasForeignKey(d => d.Hash).OnDelete(DeleteBehavior.Restrict);
            // GetLatestProgram and children: the newest deployment of a name.
            e.HasIndex(d => new { d.Name, d.Id });
        });
        model.Entity<InstanceRecord>(e =>
        {
            e.ToTable("instances");
            e.HasKey(i => i.Id);
            e.Property(i => i.Revision).IsConcurrencyToken();
            e.HasOne<ProgramRecord>().WithMany().HasForeignKey(i => i.ProgramHash).OnDelete(DeleteBehavior.Restrict);
            // ClaimInstances: ready rows, oldest first.
            e.HasIndex(i => new { i.Ready, i.ReadySince });
            // ListInstances: newest first, all or by status or by workflow, keyset-paged on (CreatedAt, Id).
            e.HasIndex(i => new { i.CreatedAt, i.Id });
            e.HasIndex(i => new { i.Status, i.CreatedAt, i.Id });
            e.HasIndex(i => new { i.Workflow, i.CreatedAt, i.Id });
            // A final instance cancels its children.
            e.HasIndex(i => i.ParentId);
        });
        model.Entity<InboxRecord>(e =>
        {
            e.ToTable("inbox");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).ValueGeneratedOnAdd();
            e.HasIndex(m => new { m.InstanceId, m.Id });
        });
        model.Entity<ActivityTaskRecord>(e =>
        {
            e.ToTable("activity_tasks");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).ValueGeneratedOnAdd();
            e.HasIndex(t => new { t.InstanceId, t.Sequence }).IsUnique();
            // ClaimActivities walks the table in Id (rowid) order, oldest first, and stops after
            // [max] free or expired rows; only the leased rows in flight are skipped. There is
            // deliberately no index on LeaseExpiresAt: with one, the planner may collect every free
            // task of a large backlog and sort it by Id on each claim.
        });
        model.Entity<TimerRecord>(e =>
        {
            e.ToTable("timers");
            e.HasKey(t => new { t.InstanceId, t.Sequence });
            e.HasIndex(t => t.DueAt);
        });
        model.Entity<JournalRecord>(e =>
        {
            e.ToTable("journal");
            // History pages and the pickle of turn N: by instance, in turn order.
            e.HasKey(j => new { j.InstanceId, j.Turn });
        });
        model.Entity<WorkerRecord>(e =>
        {
            e.ToTable("workers");
            e.HasKey(w => w.Id);
        });
        model.Entity<HealthProbeRecord>(e =>
        {
            e.ToTable("health_probe");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).ValueGeneratedNever();
        });
    }
}
