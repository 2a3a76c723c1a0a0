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
    /// What `--db` takes. The text says which database it is, and nothing is guessed: a `postgres://`
    /// or `postgresql://` URL, or a connection string with a Host (`Host=…;Database=…`), is PostgreSQL;
    /// a path that starts with `/`, `./` or `../` is a SQLite file, whatever characters it holds; any
    /// other text that looks like a connection string (has both '=' and ';', or starts with a keyword
    /// such as Server=, Database= or Username=) is refused, since it names no PostgreSQL server and
    /// surely no file; the rest is the path of a SQLite file. Throws FormatException, saying how to
    /// write either, for a refused or malformed text (which the message does not repeat: it may hold a password).
    /// </summary>
    public static WorkflowDatabase Parse(string db)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        if (IsPostgresUrl(db)) return Postgres.From(db);
        if (IsExplicitPath(db) || !LooksLikeConnectionString(db)) return new Sqlite(db);
        if (!NamesHost(db))
            throw new FormatException($"the database is given as a connection string without Host=, which names neither a SQLite file nor a PostgreSQL server; {HowToWrite}");
        return Postgres.From(db);
    }

    /// <summary>What every refusal of a database text ends with.</summary>
    internal const string HowToWrite =
        "write a SQLite file as a path (workflow.db, ./data/wf.db) and a PostgreSQL database as Host=db1;Database=wf;Username=app;Password=… or postgres://app:password@db1/wf";

    private static bool IsPostgresUrl(string db) =>
        db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static bool IsExplicitPath(string db) =>
        db.StartsWith('/') || db.StartsWith("./", StringComparison.Ordinal) || db.StartsWith("../", StringComparison.Ordinal);

    /// <summary>The keywords a connection string (Npgsql's, SQL Server's, SQLite's) usually starts with.</summary>
    private static readonly System.Text.RegularExpressions.Regex LeadingKeyword = new(
        @"^\s*(host|server|database|username|user\s*id|user|uid|password|pwd|port|data\s*source|initial\s*catalog)\s*=",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool LooksLikeConnectionString(string db) => db.Contains('=') && db.Contains(';') || LeadingKeyword.IsMatch(db);

    /// <summary>Whether the connection string [db] has a Host key (false too when it does not parse as key=value pairs).</summary>
    private static bool NamesHost(string db)
    {
        try
        {
            return new System.Data.Common.DbConnectionStringBuilder { ConnectionString = db }.ContainsKey("host");
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>What logs and `wf serve` show: the file, or the server and database (never the password).</summary>
    public abstract string Description { get; }

    /// <summary>Whether several processes' Quartz schedulers share the triggers (a cluster).</summary>
    public abstract bool Clustered { get; }

    /// <summary>Quartz's scheduler name: the same for every process on this database.</summary>
    public abstract string SchedulerName { get; }

    public abstract IWorkflowStore OpenStore(TimeProvider clock);

    /// <summary>
    /// Opens the store (as <see cref="OpenStore"/>) and writes its probe row, so that a host or a
    /// worker on a database it may only read (a read-only file or folder, a standby server) stops at
    /// start, saying which database and why, rather than starting and failing at its first write.
    /// Throws InvalidOperationException naming the database, with the provider's error inside.
    /// </summary>
    public IWorkflowStore OpenForWriting(TimeProvider clock)
    {
        IWorkflowStore store;
        try
        {
            store = OpenStore(clock);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the workflow database {Description} cannot be opened: {Explain(e)}", e);
        }
        try
        {
            store.ProbeWrite(clock.GetUtcNow().UtcDateTime);
        }
        catch (Exception e)
        {
            store.Dispose();
            throw new InvalidOperationException($"the workflow database {Description} does not take writes: {Explain(e)}", e);
        }
        return store;
    }

    /// <summary>The provider's message, and what must hold when [error] is a matter of access.</summary>
    private string Explain(Exception error) =>
        AccessHint(error) is { } hint ? $"{error.Message.TrimEnd('.')}; {hint}" : error.Message;

    /// <summary>What must hold for [error] not to happen when it is a matter of access (a read-only file or folder, a standby server); null otherwise.</summary>
    protected abstract string? AccessHint(Exception error);

    /// <summary>Points Quartz's persistent store at this database.</summary>
    internal abstract void ConfigureQuartz(IPersistentStoreBuilder store, TimerSchedulerOptions options);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);

    private static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new FormatException($"the database is given as a PostgreSQL URL that does not parse; {HowToWrite}");
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
        // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN.
        protected override string? AccessHint(Exception error) => error is SqliteException { SqliteErrorCode: 3 or 8 or 14 }
            ? "this process must be able to write the file and its folder, where SQLite keeps its -wal and -shm files"
            : null;

        /// <summary>For tests: changes the store's options before it opens (a short busy timeout, pragmas that make the database full).</summary>
        internal Action<SqliteStoreOptions>? ConfigureStore { get; init; }

        public override IWorkflowStore OpenStore(TimeProvider clock)
        {
            var options = new SqliteStoreOptions { Clock = clock };
            ConfigureStore?.Invoke(options);
            return SqliteWorkflowDatabase.Open(Path, options);
        }

        internal override void ConfigureQuartz(IPersistentStoreBuilder store, TimerSchedulerOptions options) =>
            store.UseSqlite(new QuartzSqliteFactory(options.BusyTimeout), new SqliteConnectionStringBuilder
            {
                DataSource = Path,
                Pooling = true,
                DefaultTimeout = (int)options.BusyTimeout.TotalSeconds,
                // The store made the file; should it be deleted, Quartz must not start an empty one at its path.
                Mode = SqliteOpenMode.ReadWrite,
            }.ToString());
    }

    internal sealed class Postgres : WorkflowDatabase
    {
        private readonly NpgsqlConnectionStringBuilder _builder;

        private Postgres(string connectionString, NpgsqlConnectionStringBuilder builder)
        {
            ConnectionString = connectionString;
            _builder = builder;
        }

        /// <summary>
        /// The PostgreSQL database [connectionString] names: an Npgsql connection string with a Host, or
        /// a `postgres://` URL. Nothing else is tried: this is what UsePostgres and `--db` with a Host
        /// take. Throws FormatException (without repeating the text, which may hold a password) when it
        /// is not one.
        /// </summary>
        public static Postgres From(string connectionString)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
            if (IsPostgresUrl(connectionString)) connectionString = FromUrl(connectionString);
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"the database is given as a PostgreSQL connection string that does not parse ({e.Message}); {HowToWrite}", e);
            }
            if (string.IsNullOrWhiteSpace(builder.Host))
                throw new FormatException($"the PostgreSQL connection string names no Host; {HowToWrite}");
            return new Postgres(connectionString, builder);
        }

        public string ConnectionString { get; }
        public override string Description => $"postgres://{_builder.Host}:{_builder.Port}/{_builder.Database}";
        public override bool Clustered => true;
        public override string SchedulerName => "workflow-" + Hash($"{_builder.Host}:{_builder.Port}/{_builder.Database}");
        protected override string? AccessHint(Exception error) => error is NpgsqlException
            ? "the server must be up and take writes (not a standby), and the role must be allowed to write the database"
            : null;

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
