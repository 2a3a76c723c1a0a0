using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Tests.Shared;

namespace Workflow.Benchmarks;

/// <summary>
/// Durable steps per second with 1, 2 and 3 `wf worker` processes on one PostgreSQL database,
/// next to one `wf worker` process on a SQLite file (synchronous=FULL), all in the same run on the
/// same machine. The workers are the real tool, started as child processes exactly as a user
/// starts them; steps are read from the database (the instances' committed turns), so what is
/// counted is what several processes committed, not what one of them believes it did.
/// </summary>
/// <remarks>
/// Each configuration gets a fresh database with the same instances, each looping over
/// `await activity('echo', i)` for far longer than the run. The PostgreSQL server is the one
/// WF_POSTGRES names (the tests' server; `.ci/postgres` starts one); without one the section says
/// so and measures SQLite alone. SQLite runs one process only: a SQLite file is the one-machine
/// store, and its single writer lock is what PostgreSQL's row locks and SKIP LOCKED claims replace.
/// </remarks>
internal static class WorkerScalingBenchmark
{
    /// <summary>
    /// Enough ready instances that three workers, claiming up to 100 each, fill their batches. With
    /// 300 the three workers' batches were a third full and as many claims and commits did the work
    /// of one: on two cores that cost what the third worker added (0.88–1.14x of one worker's rate
    /// in three rounds, against 1.5x with 1,000).
    /// </summary>
    private const int Instances = 1000;
    private static readonly int[] PostgresWorkers = [1, 2, 3];

    /// <summary>More workers must not make PostgreSQL slower: each count's steps/s at least this share of one worker's.</summary>
    private const double ScalingTarget = 1.0;

    /// <summary>
    /// Measures every configuration in each of [rounds] rounds, one after the other (so a slow
    /// minute of the machine or the server falls on all of them alike), and reports the medians.
    /// </summary>
    /// <remarks>
    /// Steps are counted after every worker has started and the warm-up has passed: three processes
    /// on two cores take that long to finish their JIT's tiering (with 12 s the third worker still
    /// spent half its CPU compiling), hence the full run's 20 s.
    /// </remarks>
    public static int Run(Sizes sizes, Report report)
    {
        var (rounds, warmUp, window) = (sizes.WorkerRounds, sizes.WorkerWarmUp, sizes.WorkerWindow);
        using var scratch = new ScratchDirectory("wf-bench-workers-");
        var dir = scratch.Path;
        Console.WriteLine($"{Instances} instances of `await activity('echo', i)` in a loop; `wf worker` processes on a fresh database each time;");
        Console.WriteLine($"steps = committed turns read from the database over {window.TotalSeconds:F0} s, after every worker started and {warmUp.TotalSeconds:F0} s of warm-up;");
        Console.WriteLine($"cpu = the machine's busy share of its {Environment.ProcessorCount} cores over the same window (the database server's work included);");
        Console.WriteLine("worker µs / server µs = CPU time per step of the worker processes together / of the PostgreSQL server's processes;");
        Console.WriteLine($"tx/step = transactions the PostgreSQL server committed per step; {rounds} round(s), the configurations taking turns");

        var configurations = new List<(string Database, int Workers)> { ("SQLite", 1) };
        var unreachable = PostgresUnreachable();
        if (unreachable == null) configurations.AddRange(PostgresWorkers.Select(w => ("PostgreSQL", w)));
        var figures = configurations.ToDictionary(c => c, _ => new List<Figure>());
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var configuration in configurations)
            {
                var figure = configuration.Database == "SQLite" ? MeasureSqlite(dir, round, warmUp, window) : MeasurePostgres(configuration.Workers, warmUp, window);
                figures[configuration].Add(figure);
                Console.WriteLine($"  round {round}: {configuration.Database} with {configuration.Workers} worker(s): {figure.StepsPerSecond:F0} steps/s");
            }
        }

        Console.WriteLine($"{"database",-10} {"workers",7} {"steps/s",9} {"range",13} {"vs 1 worker",12} {"cpu",6} {"worker µs",10} {"server µs",10} {"tx/step",8}");
        foreach (var configuration in configurations)
        {
            var (database, workers) = configuration;
            var all = figures[configuration];
            var rate = Median(all, f => f.StepsPerSecond);
            var range = $"{all.Min(f => f.StepsPerSecond):F0}–{all.Max(f => f.StepsPerSecond):F0}";
            var ratio = database == "SQLite" ? "" : $"{rate / Median(figures[("PostgreSQL", 1)], f => f.StepsPerSecond):F2}x";
            var server = database == "SQLite" ? "" : $"{Median(all, f => f.ServerCpu):F0}";
            var transactions = database == "SQLite" ? "" : $"{Median(all, f => f.TransactionsPerStep):F2}";
            Console.WriteLine($"{database,-10} {workers,7} {rate,9:F0} {range,13} {ratio,12} {Median(all, f => f.Cpu),6:P0} {Median(all, f => f.WorkerCpu),10:F0} {server,10} {transactions,8}");
        }
        if (unreachable != null)
        {
            Console.WriteLine($"PostgreSQL: not measured ({unreachable}); start a server with `.ci/postgres` and set WF_POSTGRES to what it prints");
            report.Target("workers", "PostgreSQL, 2 and 3 `wf worker` processes: steps/s", "not measured", $"no server: {unreachable}", "", $">= {ScalingTarget:F2}x of 1", false);
            return 0;
        }

        Console.WriteLine();
        var sqliteRate = Median(figures[("SQLite", 1)], f => f.StepsPerSecond);
        var one = Median(figures[("PostgreSQL", 1)], f => f.StepsPerSecond);
        report.Add("workers", "PostgreSQL, 1 `wf worker` process: steps/s (median)", $"{one:F0}", $"SQLite, 1 `wf worker` process: {sqliteRate:F0}", $"{one / sqliteRate:F2}x");
        foreach (var workers in PostgresWorkers.Skip(1))
        {
            var all = figures[("PostgreSQL", workers)];
            var rate = Median(all, f => f.StepsPerSecond);
            report.Target("workers", $"PostgreSQL, {workers} `wf worker` processes: steps/s (median; range {all.Min(f => f.StepsPerSecond):F0}–{all.Max(f => f.StepsPerSecond):F0})",
                $"{rate:F0}", $"1 process: {one:F0}", $"{rate / one:F2}x", $">= {ScalingTarget:F2}x of 1", rate / one >= ScalingTarget);
        }
        return 0;
    }

    private static Figure MeasureSqlite(string dir, int round, TimeSpan warmUp, TimeSpan window)
    {
        var path = Path.Combine(dir, $"steps-{round}.db");
        return Measure(path, workers: 1, warmUp, window, () => (CountTurns(new SqliteConnection($"Data Source={path}")), 0));
    }

    private static Figure MeasurePostgres(int workers, TimeSpan warmUp, TimeSpan window)
    {
        using var database = new PostgresScratchDatabase();
        return Measure(database.ConnectionString, workers, warmUp, window, () => PostgresCounters(database.ConnectionString));
    }

    private static double Median(List<Figure> figures, Func<Figure, double> value) => Statistics.Median(figures.Select(value));

    /// <param name="WorkerCpu">CPU µs the worker processes spent per step, all of them together.</param>
    /// <param name="ServerCpu">CPU µs the PostgreSQL server's processes spent per step (0 for SQLite, which runs inside the worker).</param>
    /// <param name="TransactionsPerStep">Transactions the server committed per step (0 for SQLite, where they are not counted here).</param>
    private readonly record struct Figure(double StepsPerSecond, double Cpu, double WorkerCpu, double ServerCpu, double TransactionsPerStep);

    /// <summary>
    /// Deploys and starts the instances on [db] (a fresh database: `--db` as the tool takes it),
    /// starts [workers] `wf worker` processes on it, and counts committed turns over [window] after [warmUp].
    /// </summary>
    private static Figure Measure(string db, int workers, TimeSpan warmUp, TimeSpan window, Func<(long Turns, long Transactions)> counters)
    {
        using (var store = WorkflowDatabase.Parse(db).OpenStore(TimeProvider.System))
        {
            var client = new WorkflowClient(store);
            var program = client.Deploy("steps", DurableBenchmark.StepsProgram);
            if (program.HasErrors) throw new InvalidOperationException(string.Join("\n", program.Diagnostics));
            for (int i = 0; i < Instances; i++) client.Start("steps", "1000000000", $"i{i}");
        }
        var processes = Enumerable.Range(0, workers).Select(_ => WfWorkerProcess.Start(db)).ToList();
        try
        {
            // `wf worker` logs "worker <id> on <database>" just before its loops start.
            foreach (var process in processes) process.WaitForLine(" worker ", TimeSpan.FromMinutes(1));
            Thread.Sleep(warmUp);
            foreach (var process in processes) process.ThrowIfExited();
            var (counters0, cpu0, workers0, server0, start) = (counters(), CpuTimes.Read(), processes.Sum(p => p.CpuTime.TotalMicroseconds), ServerCpu(), Stopwatch.GetTimestamp());
            Thread.Sleep(window);
            var (counters1, cpu1, workers1, server1, seconds) = (counters(), CpuTimes.Read(), processes.Sum(p => p.CpuTime.TotalMicroseconds), ServerCpu(), Stopwatch.GetElapsedTime(start).TotalSeconds);
            foreach (var process in processes) process.ThrowIfExited();
            double steps = counters1.Turns - counters0.Turns;
            return new Figure(steps / seconds, cpu1.BusyShareSince(cpu0), (workers1 - workers0) / steps, (server1 - server0) / steps,
                (counters1.Transactions - counters0.Transactions) / steps);
        }
        finally
        {
            foreach (var process in processes) process.Dispose();
        }
    }

    private static long CountTurns(System.Data.Common.DbConnection connection)
    {
        using (connection)
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(SUM(\"Turns\"), 0) FROM instances";
            return Convert.ToInt64(command.ExecuteScalar());
        }
    }

    /// <summary>
    /// Committed turns, and the transactions the server has committed in the database so far
    /// (pg_stat_database, which backends update about once a second: a few transactions' error over a window).
    /// </summary>
    private static (long Turns, long Transactions) PostgresCounters(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COALESCE(SUM("Turns"), 0) FROM instances), xact_commit FROM pg_stat_database WHERE datname = current_database()
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Null when WF_POSTGRES's server answers, or why not.</summary>
    internal static string? PostgresUnreachable()
    {
        try
        {
            using var connection = new NpgsqlConnection(PostgresScratchDatabase.Server);
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            return $"{new NpgsqlConnectionStringBuilder(PostgresScratchDatabase.Server) { Password = null }}: {e.Message}";
        }
    }

    /// <summary>CPU µs used so far by the machine's processes named `postgres` (the server and its backends; 0 where there is no /proc).</summary>
    private static double ServerCpu()
    {
        if (!Directory.Exists("/proc")) return 0;
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                // /proc/PID/stat: "PID (comm) state … utime stime …", utime and stime the 14th and 15th fields.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || stat[(stat.IndexOf('(') + 1)..close] != "postgres") continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException) { /* the process ended meanwhile */ }
            catch (UnauthorizedAccessException) { }
        }
        return ticks * 1_000_000.0 / ClockTicksPerSecond;
    }

    /// <summary>USER_HZ, the unit of /proc's CPU times: 100 on every Linux this runs on.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>The machine's CPU time counters from /proc/stat (in clock ticks): busy and total.</summary>
    private readonly record struct CpuTimes(long Busy, long Total)
    {
        public static CpuTimes Read()
        {
            if (!File.Exists("/proc/stat")) return default;
            // "cpu  user nice system idle iowait irq softirq steal …": idle and iowait are not busy.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
            var total = fields.Sum();
            return new CpuTimes(total - fields[3] - fields[4], total);
        }

        public double BusyShareSince(CpuTimes earlier) =>
            Total == earlier.Total ? double.NaN : (double)(Busy - earlier.Busy) / (Total - earlier.Total);
    }
}
