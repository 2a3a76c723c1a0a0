using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Workflow.Persistence;

/// <summary>
/// The workflow database on a SQLite file: created on first use, in WAL mode. Each call is its own
/// short unit of work (one DbContext), so a long-lived store is safe to share by one process.
/// </summary>
/// <remarks>
/// For now the schema is made with EnsureCreated; the durable runtime (issue 4) brings EF Core
/// migrations in migrations/ and migrates on start instead.
/// </remarks>
public sealed class WorkflowStore
{
    private readonly DbContextOptions<WorkflowDbContext> _options;

    private WorkflowStore(DbContextOptions<WorkflowDbContext> options) => _options = options;

    /// <summary>Opens (creating if needed) the database in the SQLite file at [path].</summary>
    public static WorkflowStore OpenSqlite(string path)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        var options = new DbContextOptionsBuilder<WorkflowDbContext>().UseSqlite(connection).Options;
        var store = new WorkflowStore(options);
        using var db = store.Context();
        db.Database.EnsureCreated();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        return store;
    }

    private WorkflowDbContext Context() => new(_options);

    /// <summary>Stores a program version unless one with the same hash is there already.</summary>
    public void SaveProgram(string name, string source, string hash)
    {
        using var db = Context();
        if (db.Programs.Any(p => p.Hash == hash)) return;
        db.Programs.Add(new ProgramVersionRecord { Hash = hash, Name = name, Source = source, CreatedAt = DateTime.UtcNow });
        db.SaveChanges();
    }

    public ProgramVersionRecord? GetProgram(string hash)
    {
        using var db = Context();
        return db.Programs.AsNoTracking().SingleOrDefault(p => p.Hash == hash);
    }

    /// <summary>Adds a new instance row.</summary>
    public void AddInstance(InstanceRecord instance)
    {
        using var db = Context();
        instance.CreatedAt = instance.UpdatedAt = DateTime.UtcNow;
        db.Instances.Add(instance);
        db.SaveChanges();
    }

    public InstanceRecord? GetInstance(string id)
    {
        using var db = Context();
        return db.Instances.AsNoTracking().SingleOrDefault(i => i.Id == id);
    }
}
