using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Quartz;
using Workflow.Durable;
using Workflow.Hosting.Timers;
using Workflow.Migrations.Postgres;
using Workflow.Migrations.Sqlite;
using Workflow.Persistence;

namespace Workflow.Hosting;

/// <summary>
/// Where the workflow database is: a SQLite file (one machine) or a PostgreSQL server (several).
/// It opens the store (applying the provider's migrations) and sets Quartz up on the same database:
/// on SQLite one scheduler per file; on PostgreSQL a cluster, so each timer's wake-up fires on one node.
/// </summary>
internal abstract class WorkflowDatabase
{
    /// <summary>
    /// What `--db` takes: a PostgreSQL connection string (`Host=…;Database=…`, or a `postgres://` /
    /// `postgresql://` URL), or else the path of a SQLite file.
    /// </summary>
    public static WorkflowDatabase Parse(string db)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        if (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new Postgres(FromUrl(db));
        return db.Contains('=') && db.Contains(';') || db.StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
            ? new Postgres(db)
            : new Sqlite(db);
    }

    /// <summary>What logs and `wf serve` show: the file, or the server and database (never the password).</summary>
    public abstract string Description { get; }

    /// <summary>Whether several processes' Quartz schedulers share the triggers (a cluster).</summary>
    public abstract bool Clustered { get; }

    /// <summary>Quartz's scheduler name: the same for every process on this database.</summary>
    public abstract string SchedulerName { get; }

    public abstract IWorkflowStore OpenStore(TimeProvider clock);

    /// <summary>Points Quartz's persistent store at this database.</summary>
    internal abstract void ConfigureQuartz(IPersistentStoreBuilder store, TimerSchedulerOptions options);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);

    private static string FromUrl(string url)
    {
        var uri = new Uri(url);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Database = uri.AbsolutePath.Trim('/') };
        if (uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Split(':', 2) is [var user, ..] rest && user.Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(user);
            if (rest.Length == 2) builder.Password = Uri.UnescapeDataString(rest[1]);
        }
        return builder.ToString();
    }

    internal sealed class Sqlite(string path) : WorkflowDatabase
    {
        public string Path { get; } = System.IO.Path.GetFullPath(path);
        public override string Description => Path;
        public override bool Clustered => false;
        public override string SchedulerName => "workflow-" + Hash(Path);

        public override IWorkflowStore OpenStore(TimeProvider clock) => SqliteWorkflowDatabase.Open(Path, new SqliteStoreOptions { Clock = clock });

        internal override void ConfigureQuartz(IPersistentStoreBuilder store, TimerSchedulerOptions options) =>
            store.UseSqlite(new QuartzSqliteFactory(options.BusyTimeout), new SqliteConnectionStringBuilder
            {
                DataSource = Path,
                Pooling = true,
                DefaultTimeout = (int)options.BusyTimeout.TotalSeconds,
            }.ToString());
    }

    internal sealed class Postgres(string connectionString) : WorkflowDatabase
    {
        private readonly NpgsqlConnectionStringBuilder _builder = new(connectionString);
        public string ConnectionString { get; } = connectionString;
        public override string Description => $"postgres://{_builder.Host}:{_builder.Port}/{_builder.Database}";
        public override bool Clustered => true;
        public override string SchedulerName => "workflow-" + Hash($"{_builder.Host}:{_builder.Port}/{_builder.Database}");

        public override IWorkflowStore OpenStore(TimeProvider clock) => PostgresWorkflowDatabase.Open(ConnectionString, new PostgresStoreOptions { Clock = clock });

        internal override void ConfigureQuartz(IPersistentStoreBuilder store, TimerSchedulerOptions options)
        {
            store.UsePostgres(NpgsqlFactory.Instance, ConnectionString);
            // Every node checks in; a node that stops checking in has its acquired triggers recovered by the others.
            store.UseClustering(c =>
            {
                c.CheckinInterval = TimeSpan.FromSeconds(5);
                c.CheckinMisfireThreshold = TimeSpan.FromSeconds(15);
            });
        }
    }
}
