using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Hosting.Activities;

namespace Workflow.CrashHost;

/// <summary>
/// The worker the durability tests kill with SIGKILL: `wf worker` plus two activities with effects
/// the tests can count, and a journal of committed turns.
/// <list type="bullet">
/// <item>`ledger_add(account, amount)`: records the amount in a ledger database under the call's
/// idempotency key (INSERT OR IGNORE), so however often the activity runs, its effect lands once;
/// every run is counted in `runs`, to show that some ran more than once.</item>
/// <item>`flaky(x)`: fails its first two attempts (counted in the ledger database, which survives
/// the crash), then returns x.</item>
/// <item>`slow(x, seconds)`: takes [seconds] (as a call to a slow service would), then returns x.</item>
/// </list>
/// Without `--lease` it runs with the configuration `wf worker` has by default (30 s instance
/// leases, 15 s activity leases, the default retry delays): what a user would run.
/// The journal gets one line per committed turn, "instance claimed-revision", flushed before the
/// next batch: a turn committed twice would show up as a repeated line.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var db = Arg("--db");
        var ledgerPath = Arg("--ledger");
        var journalPath = Arg("--journal");
        TimeSpan? lease = args.Contains("--lease") ? TimeSpan.FromSeconds(double.Parse(Arg("--lease"), System.Globalization.CultureInfo.InvariantCulture)) : null;
        bool exitWhenIdle = args.Contains("--exit-when-idle");

        using var loggers = LoggerFactory.Create(l => l.SetMinimumLevel(Environment.GetEnvironmentVariable("WF_VERBOSE") == "1" ? LogLevel.Debug : LogLevel.Warning).AddFilter("Quartz", LogLevel.Error)
            .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace));
        var ledger = new Ledger(ledgerPath);
        var activities = new ActivityRegistry()
            .Add("ledger_add", context =>
            {
                ledger.Add(context.IdempotencyKey, (string)context.Argument(0)!, (long)context.Argument(1)!);
                // The effect is in, the outcome is not: a kill now makes the activity run again.
                Thread.Sleep(100);
                return (JToken?)JValue.CreateNull();
            })
            .Add("flaky", context =>
            {
                if (ledger.CountAttempt(context.IdempotencyKey) <= 2) throw new InvalidOperationException($"flaky failure, attempt {context.Attempt}");
                return context.Argument(0);
            })
            .Add("slow", async context =>
            {
                await Task.Delay(TimeSpan.FromSeconds((double)context.Argument(1)!), context.CancellationToken);
                return context.Argument(0);
            });
        using var journal = new StreamWriter(journalPath, append: true) { AutoFlush = true };
        // A SQLite file or a PostgreSQL connection string, as `wf worker --db` takes.
        var database = WorkflowDatabase.Parse(db);
        using var store = database.OpenStore(TimeProvider.System);
        var options = lease is { } shortLease
            ? new DurableWorkerOptions
            {
                Turns = new WorkerOptions { Lease = shortLease, PollInterval = TimeSpan.FromMilliseconds(50) },
                Activities = new ActivityOptions { Retries = 100, LeaseDuration = shortLease, Timeout = shortLease / 2, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), PollInterval = TimeSpan.FromMilliseconds(50) },
            }
            : new DurableWorkerOptions();
        await using var worker = new DurableWorker(store, database, activities, options, loggers,
            output: (id, text) => { },
            committed: (commit, revision) => { lock (journal) journal.WriteLine($"{commit.InstanceId} {commit.Revision}"); });
        Console.Out.WriteLine("started");
        Console.Out.Flush();
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        await worker.RunAsync(stop.Token, exitWhenIdle);
        return 0;
    }
}

/// <summary>The activities' side effects, in their own SQLite file (as a real system's would be in its own database).</summary>
internal sealed class Ledger
{
    private readonly string _connection;

    public Ledger(string path)
    {
        _connection = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
        using (var c = Open())
        using (var wal = c.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL";
            wal.ExecuteNonQuery();
        }
        Execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, account TEXT NOT NULL, amount INTEGER NOT NULL);" +
                "CREATE TABLE IF NOT EXISTS runs (key TEXT NOT NULL); CREATE TABLE IF NOT EXISTS attempts (key TEXT PRIMARY KEY, count INTEGER NOT NULL)");
    }

    public void Add(string key, string account, long amount) =>
        Execute("INSERT INTO runs (key) VALUES ($key); INSERT OR IGNORE INTO entries (key, account, amount) VALUES ($key, $account, $amount)",
            ("$key", key), ("$account", account), ("$amount", amount));

    public long CountAttempt(string key)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO attempts (key, count) VALUES ($key, 1) ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count";
        cmd.Parameters.AddWithValue("$key", key);
        return (long)cmd.ExecuteScalar()!;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connection);
        c.Open();
        return c;
    }
}
