using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Hosting.Activities;
using Workflow.Migrations.Sqlite;
using Workflow.Persistence;

namespace Workflow.Benchmarks;

/// <summary>
/// Many instances asleep on durable timers, each due at its own second some 30 days ahead (a drip
/// campaign's shape), on one SQLite file with synchronous=FULL: the database bytes per sleeping
/// instance, the time to create them (started one transaction each, as the REST API starts them,
/// while a worker runs their first turns), and the memory of a `wf worker` process started on the
/// database while they sleep, which must not grow with their number.
/// </summary>
/// <remarks>
/// Baselines from the same run: the bytes of an instance's pickle (what a sleeping instance has to
/// keep), the time to insert each pickle alone in a table of its own, one transaction each (the
/// least a durable start costs on this disk), and the worker's memory with a tenth as many instances.
/// </remarks>
internal static class ScaleBenchmark
{
    /// <summary>Issue 7's targets: 1 KB or less of database per sleeping instance; the worker's memory flat in their number.</summary>
    private const double BytesTarget = 1024;
    private const double MemoryGrowthTarget = 1.10;

    private const string Program = """
        def main(seconds):
            await sleep(seconds)
            return seconds
        """;

    /// <param name="count">Sleeping instances at the full size; the memory baseline uses a tenth of it.</param>
    public static int Run(int count, Report report)
    {
        using var scratch = new ScratchDirectory("wf-bench-scale-");
        var dir = scratch.Path;
        var small = Measure(dir, count / 10);
        var large = Measure(dir, count);
        var raw = RawInserts(dir, count, large.PickleBytes);

        Console.WriteLine($"{"instances",10} {"db bytes/inst",14} {"pickle bytes",13} {"create µs/inst",15} {"worker RSS MB",14} {"worker peak MB",15} {"start-up s",11}");
        foreach (var f in new[] { small, large })
            Console.WriteLine($"{f.Count,10:N0} {f.BytesPerInstance,14:F0} {f.PickleBytes,13:F0} {f.CreateMicros,15:F0} {f.RssMb,14:F1} {f.PeakMb,15:F1} {f.StartupSeconds,11:F1}");
        Console.WriteLine($"raw baseline: {count:N0} inserts of a {large.PickleBytes:F0}-byte pickle, one transaction each: {raw:F0} µs each");
        Console.WriteLine();

        report.Target("scale", $"database bytes per sleeping instance ({count:N0})", $"{large.BytesPerInstance:F0} B", $"its pickle: {large.PickleBytes:F0} B",
            $"{large.BytesPerInstance / large.PickleBytes:F2}x", $"<= {BytesTarget:F0} B", large.BytesPerInstance <= BytesTarget);
        report.Add("scale", $"time to create {count:N0} sleeping instances", $"{large.CreateMicros * count / 1e6:F1} s ({large.CreateMicros:F0} µs each)",
            $"a pickle inserted alone, one transaction each: {raw:F0} µs", $"{large.CreateMicros / raw:F2}x");
        var growth = large.RssMb / small.RssMb;
        report.Target("scale", $"`wf worker` memory (RSS) with {count:N0} sleeping", $"{large.RssMb:F1} MB", $"with {small.Count:N0}: {small.RssMb:F1} MB",
            $"{growth:F2}x", $"<= {MemoryGrowthTarget:F2}x", growth <= MemoryGrowthTarget);
        report.Add("scale", $"`wf worker` start-up with {count:N0} sleeping (timers reconciled)", $"{large.StartupSeconds:F1} s", $"with {small.Count:N0}: {small.StartupSeconds:F1} s",
            $"{large.StartupSeconds / small.StartupSeconds:F2}x");
        return 0;
    }

    /// <param name="BytesPerInstance">Database growth per instance: file size after a checkpoint, less the size before the first start.</param>
    /// <param name="PickleBytes">The mean size of the instances' pickles.</param>
    /// <param name="CreateMicros">From the first start until every instance is asleep, per instance.</param>
    /// <param name="RssMb">A `wf worker` process's resident memory, idle on the database, after start-up.</param>
    /// <param name="PeakMb">Its peak resident memory (VmHWM), start-up included.</param>
    /// <param name="StartupSeconds">From its start until it reports its timers reconciled.</param>
    private readonly record struct Figures(int Count, double BytesPerInstance, double PickleBytes, double CreateMicros, double RssMb, double PeakMb, double StartupSeconds);

    private static Figures Measure(string dir, int count)
    {
        var path = Path.Combine(dir, $"sleeping-{count}.db");
        double bytesBefore, createMicros;
        using (var store = SqliteWorkflowDatabase.Open(path, new SqliteStoreOptions { Synchronous = SqliteSynchronous.Full }))
        {
            var client = new WorkflowClient(store);
            var program = client.Deploy("sleeper", Program);
            if (program.HasErrors) throw new InvalidOperationException(string.Join("\n", program.Diagnostics));
            bytesBefore = DatabaseBytes(path);

            var worker = new DurableWorker(store, new WorkflowDatabase.Sqlite(path), new ActivityRegistry());
            using var stop = new CancellationTokenSource();
            var run = worker.RunAsync(stop.Token);
            var clock = Stopwatch.StartNew();
            try
            {
                // 30 days ahead, one second apart: every timer in a Quartz slot of its own.
                const int thirtyDays = 30 * 24 * 3600;
                for (int i = 0; i < count; i++)
                {
                    client.Start("sleeper", (thirtyDays + i).ToString(System.Globalization.CultureInfo.InvariantCulture), $"s{i}");
                    if (i % 100 == 99) worker.Wake();
                }
                worker.Wake();
                var deadline = Stopwatch.StartNew();
                while (store.Summary() is not { ReadyInstances: 0, Timers: var timers } || timers != count)
                {
                    if (deadline.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{count} instances did not fall asleep in 10 minutes");
                    Thread.Sleep(20);
                }
                createMicros = clock.Elapsed.TotalMicroseconds / count;
            }
            finally
            {
                stop.Cancel();
                run.Wait();
                worker.DisposeAsync().AsTask().Wait();
            }
        }
        SqliteConnection.ClearAllPools();
        var bytesPerInstance = (DatabaseBytes(path) - bytesBefore) / count;
        var pickleBytes = Scalar(path, "SELECT AVG(LENGTH(Pickle)) FROM instances");
        var (rss, peak, startup) = WorkerMemory(path, count);
        return new Figures(count, bytesPerInstance, pickleBytes, createMicros, rss, peak, startup);
    }

    /// <summary>
    /// Starts `wf worker` on the database, waits for it to reconcile the timers and then idle for a
    /// few seconds, and reads its resident memory (now and at its peak) from /proc.
    /// </summary>
    private static (double RssMb, double PeakMb, double StartupSeconds) WorkerMemory(string path, int count)
    {
        using var worker = WfWorkerProcess.Start(path);
        // QuartzTimerScheduler logs "Timer scheduler … started; N timers reconciled" once it has.
        var startup = worker.WaitForLine("timers reconciled", TimeSpan.FromMinutes(10));
        // Idle: what the worker keeps while the instances sleep, after start-up's garbage is collected.
        Thread.Sleep(TimeSpan.FromSeconds(3));
        worker.ThrowIfExited();
        return (worker.MemoryMb("VmRSS"), worker.MemoryMb("VmHWM"), startup.TotalSeconds);
    }

    /// <summary>µs per insert of [count] rows holding [bytes] bytes each into a plain table, one transaction each, synchronous=FULL.</summary>
    private static double RawInserts(string dir, int count, double bytes)
    {
        var path = Path.Combine(dir, "raw.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE pickles (id TEXT PRIMARY KEY, body BLOB NOT NULL)");
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO pickles (id, body) VALUES ($id, $body)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        insert.Parameters.AddWithValue("$body", new byte[(int)bytes]);
        insert.Prepare();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            id.Value = $"s{i}";
            insert.ExecuteNonQuery();
            transaction.Commit();
        }
        return clock.Elapsed.TotalMicroseconds / count;
    }

    /// <summary>The file's size in use after a checkpoint has moved the WAL into it (free pages not counted).</summary>
    private static double DatabaseBytes(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        return Scalar(connection, "PRAGMA page_size") * (Scalar(connection, "PRAGMA page_count") - Scalar(connection, "PRAGMA freelist_count"));
    }

    private static double Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return Scalar(connection, sql);
    }

    private static double Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToDouble(command.ExecuteScalar());
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
