using Workflow.Durable;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting;

/// <summary>
/// How a host runs workflows. Set through <c>services.AddWorkflows(options => …)</c>, its builder
/// (<c>UseSqlite</c>, <c>AddPrograms</c>) or configuration section <c>Workflow</c>; checked once at
/// start, when one <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> lists every problem.
/// </summary>
public sealed class WorkflowOptions
{
    /// <summary>The configuration section the options bind to: <c>Workflow:ApiKey</c>, <c>Workflow:DatabasePath</c>, ….</summary>
    public const string Section = "Workflow";

    /// <summary>The SQLite file of the workflow database, created and migrated at start (<c>UseSqlite(path)</c> sets it). This or <see cref="PostgresConnectionString"/> is required.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// The PostgreSQL database of the workflow database, migrated at start (<c>UsePostgres(connectionString)</c>
    /// sets it): an Npgsql connection string with a Host (<c>Host=db1;Database=wf;Username=app;Password=…</c>)
    /// or a <c>postgres://user:password@host/database</c> URL. Several processes on several machines may
    /// share it. This or <see cref="DatabasePath"/> is required.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// A folder whose <c>.wf</c> files (searched recursively) are deployed at start, each under its
    /// file name without <c>.wf</c>, with the modules it imports. A file that does not compile stops
    /// the start with its diagnostics. The default value is null: nothing is deployed.
    /// </summary>
    public string? ProgramsDirectory { get; set; }

    /// <summary>
    /// The key REST clients send in the <c>X-Api-Key</c> header. The default value is null: no key,
    /// which is allowed only while the server listens on loopback addresses (it refuses to start
    /// otherwise, and refuses requests that arrive on any other address).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Whether this process runs turns, activities and timers (false: an API-only node). The default value is true.</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>How long a claim holds an instance before another worker may take it over; each turn may run for half of it. The default value is 30 seconds; from 1 second to 1 day.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Instances claimed, run and committed together in one transaction. The default value is 100; from 1 to 1,000.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>When turns are committed: at the end of each turn, or also at every await. The default value is <see cref="CommitMode.EveryTurn"/>.</summary>
    public CommitMode CommitMode { get; set; } = CommitMode.EveryTurn;

    /// <summary>How often the worker fires timers whose wake-up was lost, and how overdue they must be. The default value is 2 seconds; more than zero.</summary>
    public TimeSpan TimerSweep { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The largest start input or signal payload clients may send, in bytes of UTF-8 JSON as stored
    /// (the REST API stores a payload without the whitespace it came with). A larger one is refused
    /// before anything is written (413 <c>payload_too_large</c>), and a REST body may be this large
    /// plus 64 KiB for the rest of it. The default value is <see cref="PayloadLimits.DefaultMaxPayloadBytes"/>,
    /// 2 MiB; from 1 KiB to 64 MiB (a request body is held in memory while it is read).
    /// </summary>
    public int MaxPayloadBytes { get; set; } = PayloadLimits.DefaultMaxPayloadBytes;

    /// <summary>The smallest <see cref="MaxPayloadBytes"/>: 1 KiB.</summary>
    internal const int MinPayloadBytes = 1 << 10;

    /// <summary>The largest <see cref="MaxPayloadBytes"/>: 64 MiB.</summary>
    internal const int MaxPayloadBytesLimit = 64 << 20;

    /// <summary>How activity tasks run: retries, timeouts, concurrency.</summary>
    public ActivityOptions Activities { get; set; } = new();

    /// <summary>What one instance may take: its slice and run budget, value and pickle sizes, tasklets and pending work (payloads: <see cref="MaxPayloadBytes"/>).</summary>
    public InstanceLimits Limits { get; set; } = new();

    /// <summary>What the journal of instances' turns keeps, and how often the workers prune it.</summary>
    public JournalOptions Journal { get; set; } = new();

    /// <summary>
    /// The database the options name (checked by <see cref="Problems"/> first). Each option says its
    /// provider: a PostgresConnectionString is PostgreSQL and a DatabasePath is a SQLite file, whatever
    /// their text looks like.
    /// </summary>
    internal WorkflowDatabase Database() => PostgresConnectionString is { Length: > 0 } connectionString
        ? WorkflowDatabase.Postgres.From(connectionString)
        : new WorkflowDatabase.Sqlite(DatabasePath!) { ConfigureStore = ConfigureSqliteStore };

    /// <summary>For tests: changes the SQLite store's options before it opens (see <see cref="WorkflowDatabase.Sqlite.ConfigureStore"/>). The default value is null.</summary>
    internal Action<Workflow.Persistence.SqliteStoreOptions>? ConfigureSqliteStore { get; set; }

    /// <summary>Every problem with these options, described; empty when there is none.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DatabasePath) == string.IsNullOrWhiteSpace(PostgresConnectionString))
            problems.Add("set one database: DatabasePath (UseSqlite(path)) or PostgresConnectionString (UsePostgres(connectionString)), not "
                + (string.IsNullOrWhiteSpace(DatabasePath) ? "neither" : "both"));
        if (!string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            try
            {
                WorkflowDatabase.Postgres.From(PostgresConnectionString);
            }
            catch (FormatException e)
            {
                problems.Add($"PostgresConnectionString (UsePostgres) must be a PostgreSQL connection string (Host=…;Database=…) or a postgres:// URL: {e.Message}");
            }
        }
        if (ProgramsDirectory != null && !Directory.Exists(ProgramsDirectory))
            problems.Add($"ProgramsDirectory '{ProgramsDirectory}' does not exist");
        if (ApiKey != null && (ApiKey.Length < 16 || ApiKey.Any(char.IsWhiteSpace)))
            problems.Add("ApiKey must be at least 16 characters without spaces (leave it unset to serve on loopback without a key)");
        if (Lease < TimeSpan.FromSeconds(1) || Lease > TimeSpan.FromDays(1))
            problems.Add($"Lease must be from 1 second to 1 day (was {Lease})");
        if (BatchSize is < 1 or > 1_000) problems.Add($"BatchSize must be from 1 to 1,000 (was {BatchSize})");
        if (!Enum.IsDefined(CommitMode)) problems.Add($"CommitMode must be EveryTurn or EveryAwait (was {CommitMode})");
        if (MaxPayloadBytes is < MinPayloadBytes or > MaxPayloadBytesLimit)
            problems.Add($"MaxPayloadBytes must be from {MinPayloadBytes:N0} (1 KiB) to {MaxPayloadBytesLimit:N0} (64 MiB) (was {MaxPayloadBytes:N0})");
        if (TimerSweep <= TimeSpan.Zero) problems.Add($"TimerSweep must be more than zero (was {TimerSweep})");
        if (Activities == null) problems.Add("Activities must not be null");
        else problems.AddRange(Activities.Problems().Select(p => "Activities." + p));
        if (Limits == null) problems.Add("Limits must not be null");
        else problems.AddRange(Limits.Problems().Select(p => "Limits." + p));
        if (Journal == null) problems.Add("Journal must not be null");
        else problems.AddRange(Journal.Problems().Select(p => "Journal." + p));
        return problems;
    }
}
