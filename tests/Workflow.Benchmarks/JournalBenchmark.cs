using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Workflow.Durable;
using Workflow.Persistence;

namespace Workflow.Benchmarks;

/// <summary>
/// What the journal costs (issue "every instance's past on record"): bytes of journal per durable
/// step on the durable section's workload (one `echo` activity per step, so a step's entry holds the
/// result it consumed, the activity it started, what it waits for, and its pickle), and durable
/// steps/s at 100 instances with the journal written and without (SqliteStoreOptions.WriteJournal,
/// an internal switch kept for this), in alternating rounds in this process, compared best of
/// rounds against best of rounds (target: at most 10 % slower); and, to tell the pickle's second copy
/// (the instance row keeps it too) from the entry, with the journal written without pickles
/// (SqliteStoreOptions.JournalPickles).
/// </summary>
/// <remarks>
/// Without the journal the turn still builds its entry (a JObject: what it consumed, started and
/// waits for); the store neither serializes nor writes it. That building is measured apart, per
/// entry like a step's, and printed as a share of a step's time.
/// </remarks>
internal sealed class JournalBenchmark(Sizes sizes, Report report)
{
    private const double SlowdownTarget = 0.90;
    private const int Instances = 100;

    public int Run()
    {
        using var scratch = new ScratchDirectory("wf-bench-journal-");
        var durable = new DurableBenchmark(sizes, report);
        var with = new Rates();
        var bare = new Rates();
        var off = new Rates();
        JournalSize? size = null;
        Console.WriteLine($"durable steps/s at {Instances} instances on SQLite (synchronous=FULL), {sizes.JournalRounds} round(s) of each, the order turning each round:");
        Console.WriteLine("journal written (with), written without its pickles (no pickles), not written (without); per step: this process's CPU µs and bytes written");
        var variants = new (Rates Rates, SqliteStoreOptions? Store)[] { (with, null), (bare, Store(journal: true, pickles: false)), (off, Store(journal: false, pickles: false)) };
        for (var round = 0; round < sizes.JournalRounds; round++)
        {
            for (var k = 0; k < variants.Length; k++)
            {
                var (rates, store) = variants[(round + k) % variants.Length];
                rates.Add(durable.Throughput(scratch.Path, Instances, storeOptions: store, inspect: store == null ? path => size ??= Measure(path) : null));
            }
            Console.WriteLine($"  round {round + 1}: with {with}, no pickles {bare}, without {off}");
        }
        var on = with.StepsPerSecond;

        var s = size!.Value;
        Console.WriteLine();
        Console.WriteLine($"journal after one round with it: {s.Rows:N0} entries of {Instances} instances; per entry {s.EntryBytes:F0} bytes of entry JSON + {s.PickleBytes:F0} bytes of pickle = {s.EntryBytes + s.PickleBytes:F0} bytes"
            + (s.DiskBytes is { } disk ? $"; on disk (table and key, dbstat) {disk / s.Rows:F0} bytes per entry" : "; dbstat unavailable: no on-disk figure"));
        report.Add("journal", "journal bytes per durable step (entry JSON + pickle)", $"{s.EntryBytes + s.PickleBytes:F0} B", $"entry {s.EntryBytes:F0} B, pickle {s.PickleBytes:F0} B",
            s.DiskBytes is { } d ? $"on disk {d / s.Rows:F0} B" : "");

        var building = EntryMicros();
        var (best, bestBare, bestOff) = (on.Max(), bare.StepsPerSecond.Max(), off.StepsPerSecond.Max());
        Console.WriteLine($"medians per step: CPU {with.Cpu:F0} µs with, {bare.Cpu:F0} no pickles, {off.Cpu:F0} without; written {with.Written:F0} bytes with, {bare.Written:F0} no pickles, {off.Written:F0} without");
        report.Add("journal", $"durable steps/s at {Instances} instances, journal without its pickles (best of {on.Count})", $"{bestBare:F0}", $"journal off: {bestOff:F0}", $"{bestBare / bestOff:F2}x");
        report.Add("journal", "CPU per durable step, journal on (median of rounds)", $"{with.Cpu:F0} µs", $"journal off: {off.Cpu:F0} µs", $"{with.Cpu / off.Cpu:F2}x");
        report.Add("journal", "bytes written per durable step, journal on (median of rounds)", $"{with.Written:F0} B", $"journal off: {off.Written:F0} B", $"{with.Written / off.Written:F2}x");
        Console.WriteLine($"building a step's entry (not switched off, so in both figures): {building:F1} µs; a step takes {1e6 / best:F0} µs of the worker's wall time at {best:F0} steps/s ({building * best / 1e4:F1} %)");
        report.Target("journal", $"durable steps/s at {Instances} instances, journal on (best of {on.Count})", $"{best:F0}", $"journal off: {bestOff:F0}",
            $"{best / bestOff:F2}x", $">= {SlowdownTarget:F2}x", best / bestOff >= SlowdownTarget);
        return 0;
    }

    /// <summary>One variant's rounds: steps/s, and CPU µs and bytes written per step.</summary>
    private sealed class Rates
    {
        public readonly List<double> StepsPerSecond = [];
        private readonly List<double> _cpu = [];
        private readonly List<double> _written = [];

        public void Add((double StepsPerSecond, double CommitsPerStep, double CpuMicrosPerStep, double WrittenBytesPerStep) run)
        {
            StepsPerSecond.Add(run.StepsPerSecond);
            _cpu.Add(run.CpuMicrosPerStep);
            _written.Add(run.WrittenBytesPerStep);
        }

        public double Cpu => Statistics.Median(_cpu.ToArray());
        public double Written => Statistics.Median(_written.ToArray());

        /// <summary>The last round's figures.</summary>
        public override string ToString() => $"{StepsPerSecond[^1]:F0}/s ({_cpu[^1]:F0} µs, {_written[^1]:F0} B)";
    }

    private static SqliteStoreOptions Store(bool journal, bool pickles) =>
        new() { Synchronous = SqliteSynchronous.Full, WriteJournal = journal, JournalPickles = pickles };

    /// <summary>Entries in the journal of [path], mean bytes per entry of JSON and of pickle, and the pages of the table and its key (null without dbstat).</summary>
    private readonly record struct JournalSize(long Rows, double EntryBytes, double PickleBytes, double? DiskBytes);

    private static JournalSize Measure(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var sums = connection.CreateCommand();
        sums.CommandText = "SELECT COUNT(*), AVG(length(CAST(Entry AS BLOB))), AVG(PickleBytes) FROM journal";
        using var reader = sums.ExecuteReader();
        reader.Read();
        var (rows, entry, pickle) = (reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2));
        double? disk = null;
        try
        {
            using var pages = connection.CreateCommand();
            pages.CommandText = "SELECT SUM(pgsize) FROM dbstat WHERE name = 'journal' OR name LIKE 'sqlite_autoindex_journal%'";
            disk = Convert.ToDouble(pages.ExecuteScalar());
        }
        catch (SqliteException)
        {
            // Built without SQLITE_ENABLE_DBSTAT_VTAB: the figure says so.
        }
        return new JournalSize(rows, entry, pickle, disk);
    }

    /// <summary>Microseconds to build and serialize an entry like a step's: an activity result consumed, the next activity started.</summary>
    private static double EntryMicros()
    {
        const int count = 20_000;
        double Once()
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var entry = new JournalEntry(worker: "bench") { DurationMicros = 100 };
                entry.Consumed(new InboxEntry(i, InboxKind.ActivityCompleted, i, null, i.ToString(), 1), null, delivered: true);
                entry.Started("i1", [new ActivityRequest(i + 1, "echo", $"[{i + 1}]", null, null)], [], [], []);
                if (entry.Json.Length == 0) throw new InvalidOperationException("an empty entry");
            }
            return clock.Elapsed.TotalMicroseconds / count;
        }
        Once();
        return Enumerable.Range(0, 3).Min(_ => Once());
    }
}
