using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Tests.Shared;

namespace Workflow.Benchmarks;

/// <summary>
/// Issue 13's recovery: how long a SIGKILLed `wf worker` (the real tool, default configuration)
/// holds up the work it had. Each round catches an instance mid-turn (its turn spins for a while;
/// the kill lands once the database shows it claimed) and an activity mid-run (an `http_get` the
/// benchmark's loopback server holds open), kills the worker that holds them, and measures until
/// the instance commits its turn and the activity's request arrives again: on SQLite from the
/// restart (one worker, restarted at once: start-up included), on PostgreSQL from the kill (a second
/// worker lives and takes the work over). Beside them: a fresh worker's start-up to its first
/// committed turn, and how long the spinning turn itself takes.
/// </summary>
internal static class RecoveryBenchmark
{
    private const string Program = """
        def main(input):
            if input['spin'] > 0:
                n = 0
                for i in range(input['spin']):
                    n += i
                return n
            return await activity('http_get', input['url'])
        """;

    /// <summary>The mid-turn instance's loop: long enough that the kill surely lands inside its turn (some 100 ms here, warm).</summary>
    private const int Spin = 300_000;

    private static readonly TimeSpan P50Target = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxTarget = TimeSpan.FromSeconds(3);

    public static int Run(int kills, Report report)
    {
        using var scratch = new ScratchDirectory("wf-bench-recovery-");
        using var server = new HoldingServer();
        Console.WriteLine($"{kills} SIGKILLs per store; each catches an instance mid-turn and an http_get activity mid-run on the killed `wf worker`;");
        Console.WriteLine("SQLite: one worker, restarted at once, timed from the restart; PostgreSQL: two workers, one killed, timed from the kill (the other takes over)");

        var startUp = Statistics.Median(Enumerable.Range(0, 5).Select(i => StartUp(Path.Combine(scratch.Path, $"start-{i}.db")).TotalMilliseconds));
        Console.WriteLine($"start-up to the first committed turn (fresh wf worker, one ready instance): median {startUp:F0} ms of 5");
        var status = Measure("SQLite", Path.Combine(scratch.Path, "recovery.db"), workers: 1, kills, server, report, startUp);
        if (WorkerScalingBenchmark.PostgresUnreachable() is { } why)
        {
            Console.WriteLine($"PostgreSQL: skipped, no server ({why})");
            return status;
        }
        using var database = new PostgresScratchDatabase();
        return Math.Max(status, Measure("PostgreSQL", database.ConnectionString, workers: 2, kills, server, report, startUp));
    }

    /// <summary>From `wf worker`'s exec to the commit of a ready instance's first turn.</summary>
    private static TimeSpan StartUp(string db)
    {
        using (var store = WorkflowDatabase.Parse(db).OpenStore(TimeProvider.System))
        {
            var client = new WorkflowClient(store);
            client.Deploy("recovery", Program);
            client.Start("recovery", "{\"spin\": 1, \"url\": \"\"}", "first");
        }
        using var connection = Connect(db);
        var clock = Stopwatch.StartNew();
        using var worker = WfWorkerProcess.Start(db);
        WaitFor(() => Scalar(connection, "SELECT \"Status\" FROM instances WHERE \"Id\" = 'first'") as string == "completed", worker);
        return clock.Elapsed;
    }

    private static int Measure(string name, string db, int workers, int kills, HoldingServer server, Report report, double startUp)
    {
        using (var store = WorkflowDatabase.Parse(db).OpenStore(TimeProvider.System)) new WorkflowClient(store).Deploy("recovery", Program);
        using var connection = Connect(db);
        var running = Enumerable.Range(0, workers).Select(_ => WfWorkerProcess.Start(db)).ToList();
        var turnTimes = new List<double>();
        var midTurn = new List<double>();
        var midRun = new List<double>();
        try
        {
            // Two rounds without a kill first: every worker is up and warm, and the spinning turn's own length is known.
            for (var warm = -1; warm <= 0; warm++) turnTimes.Add(Round(db, connection, server, running, name, warm, kill: false).Turn.TotalMilliseconds);
            for (var round = 1; midTurn.Count < kills || midRun.Count < kills; round++)
            {
                if (round > 3 * kills) throw new InvalidOperationException($"{name}: {midRun.Count} activities caught mid-run in {round - 1} rounds");
                var (turn, activity) = Round(db, connection, server, running, name, round, kill: true);
                if (midTurn.Count < kills) midTurn.Add(turn.TotalMilliseconds);
                if (activity is { } a && midRun.Count < kills) midRun.Add(a.TotalMilliseconds);
            }
        }
        finally
        {
            foreach (var worker in running) worker.Dispose();
        }
        var from = workers == 1 ? "from the restart" : "from the kill, a second worker live";
        Console.WriteLine($"{name}: the spinning turn alone takes {turnTimes[^1]:F0} ms");
        var status = 0;
        foreach (var (what, samples) in new[] { ("an instance mid-turn commits its turn", midTurn), ("an activity mid-run starts again", midRun) })
        {
            var (p50, max) = (Statistics.Median(samples), samples.Max());
            Console.WriteLine($"{name}: {what}, {from}: p50 {p50:F0} ms, max {max:F0} ms over {samples.Count} kills");
            var met50 = p50 <= P50Target.TotalMilliseconds;
            var metMax = max <= MaxTarget.TotalMilliseconds;
            report.Target("recovery", $"{name}: {what}, {from}, p50 of {samples.Count}", $"{p50:F0} ms", $"start-up to first turn: {startUp:F0} ms", "", $"≤ {P50Target.TotalMilliseconds:F0} ms", met50);
            report.Target("recovery", $"{name}: {what}, {from}, max of {samples.Count}", $"{max:F0} ms", $"the turn itself: {turnTimes[^1]:F0} ms", "", $"≤ {MaxTarget.TotalMilliseconds:F0} ms", metMax);
            if (!met50 || !metMax) status = 1;
        }
        return status;
    }

    /// <summary>
    /// One round: an activity held mid-run and an instance caught mid-turn; with [kill], the worker
    /// holding the instance is killed. Returns the time until the instance committed and until the
    /// activity's request came again (null when another worker had the activity).
    /// </summary>
    private static (TimeSpan Turn, TimeSpan? Activity) Round(string db, DbConnection connection, HoldingServer server, List<WfWorkerProcess> running, string name, int round, bool kill)
    {
        var (held, spinning) = ($"held-{round}", $"spin-{round}");
        var path = $"/hold/{round}";
        using (var store = WorkflowDatabase.Parse(db).OpenStore(TimeProvider.System))
        {
            var client = new WorkflowClient(store);
            client.Start("recovery", $"{{\"spin\": 0, \"url\": \"{server.Prefix.TrimEnd('/')}{path}\"}}", held);
            server.WaitForRequest(path, 1, TimeSpan.FromSeconds(30));
            client.Start("recovery", $"{{\"spin\": {Spin}}}", spinning);
        }
        // Claimed means its turn has begun (the claim comes right before the turn), and it spins for a while yet.
        var claimed = Stopwatch.StartNew();
        string? owner = null;
        WaitFor(() => (owner = Scalar(connection, $"SELECT \"LeaseOwner\" FROM instances WHERE \"Id\" = '{spinning}'") as string) != null, running.ToArray());
        var activityOwner = Scalar(connection, $"SELECT \"LeaseOwner\" FROM activity_tasks WHERE \"InstanceId\" = '{held}'") as string;
        var clock = Stopwatch.StartNew();
        if (kill)
        {
            var victim = running.Single(w => PidOf(owner!) == w.Pid);
            victim.Dispose(); // SIGKILL
            if (running.Count == 1)
            {
                running[0] = WfWorkerProcess.Start(db);
                clock.Restart(); // on one worker, from the restart: start-up included
            }
            else running[running.IndexOf(victim)] = null!;
        }
        var live = running.Where(w => w != null).ToArray();
        TimeSpan? activity = null;
        var wantActivity = kill && activityOwner == owner;
        TimeSpan? turn = null;
        WaitFor(() =>
        {
            turn ??= Scalar(connection, $"SELECT \"Status\" FROM instances WHERE \"Id\" = '{spinning}'") as string == "completed" ? clock.Elapsed : null;
            if (wantActivity && activity == null && server.Requests(path) >= 2) activity = clock.Elapsed;
            return turn != null && (!wantActivity || activity != null);
        }, live);
        if (!kill) turn = claimed.Elapsed;
        // Let the held activity finish, and bring the killed worker back for the next round.
        server.Release(path);
        for (var i = 0; i < running.Count; i++) running[i] ??= WfWorkerProcess.Start(db);
        WaitFor(() => Scalar(connection, $"SELECT \"Status\" FROM instances WHERE \"Id\" = '{held}'") as string == "completed", running.ToArray());
        return (turn!.Value, activity);
    }

    private static int PidOf(string workerId) => int.Parse(workerId.Split(':')[^2]);

    private static void WaitFor(Func<bool> done, params WfWorkerProcess[] workers)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            foreach (var worker in workers) worker.ThrowIfExited();
            if (deadline.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("recovery: a round did not end within a minute");
            Thread.Sleep(2);
        }
    }

    private static DbConnection Connect(string db)
    {
        DbConnection connection = WorkflowDatabase.Parse(db) is WorkflowDatabase.Sqlite sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlite.Path, Pooling = false }.ToString())
            : new NpgsqlConnection(db);
        connection.Open();
        return connection;
    }

    private static object? Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// A loopback HTTP server that holds each request open until the benchmark releases its path (an
    /// activity mid-run), and counts the requests per path (a second one is the activity run again).
    /// </summary>
    private sealed class HoldingServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Dictionary<string, List<HttpListenerContext>> _held = new();
        private readonly HashSet<string> _released = new();
        private readonly Task _serving;

        public HoldingServer()
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Prefix = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Prefix);
            _listener.Start();
            _serving = Task.Run(Serve);
        }

        public string Prefix { get; }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) when (!_listener.IsListening) { return; }
                var path = context.Request.Url!.AbsolutePath;
                bool answer;
                lock (_held)
                {
                    if (!_held.TryGetValue(path, out var list)) _held[path] = list = new();
                    list.Add(context);
                    answer = _released.Contains(path);
                    Monitor.PulseAll(_held);
                }
                if (answer) Answer(context);
            }
        }

        public int Requests(string path)
        {
            lock (_held) return _held.TryGetValue(path, out var list) ? list.Count : 0;
        }

        public void WaitForRequest(string path, int count, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            lock (_held)
            {
                while (!(_held.TryGetValue(path, out var list) && list.Count >= count))
                {
                    var left = timeout - deadline.Elapsed;
                    if (left <= TimeSpan.Zero) throw new TimeoutException($"no request for {path} within {timeout.TotalSeconds:F0} s");
                    Monitor.Wait(_held, left);
                }
            }
        }

        /// <summary>Answers every request held for [path], and any that comes later.</summary>
        public void Release(string path)
        {
            List<HttpListenerContext> held;
            lock (_held)
            {
                _released.Add(path);
                held = _held.TryGetValue(path, out var list) ? list.ToList() : [];
            }
            foreach (var context in held) Answer(context);
        }

        private static void Answer(HttpListenerContext context)
        {
            try
            {
                var body = Encoding.UTF8.GetBytes("{\"ok\": true}");
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = body.Length;
                context.Response.OutputStream.Write(body);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The worker that sent it was killed: nobody is there to answer.
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try { _serving.Wait(TimeSpan.FromSeconds(5)); }
            catch (AggregateException) { }
        }
    }
}
