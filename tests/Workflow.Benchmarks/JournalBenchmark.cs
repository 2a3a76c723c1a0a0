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
        var on = new List<double>();
        var bare = new List<double>();
        var off = new List<double>();
        JournalSize? size = null;
        Console.WriteLine($"durable steps/s at {Instances} instances on SQLite (synchronous=FULL), {sizes.JournalRounds} round(s) of each, the order turning each round:");
        Console.WriteLine("journal written (with), written without its pickles (no pickles), not written (without)");
        double With() => durable.Throughput(scratch.Path, Instances, inspect: path => size ??= Measure(path)).StepsPerSecond;
        double NoPickles() => durable.Throughput(scratch.Path, Instances, storeOptions: Store(journal: true, pickles: false)).StepsPerSecond;
        double Without() => durable.Throughput(scratch.Path, Instances, storeOptions: Store(journal: false, pickles: false)).StepsPerSecond;
        var variants = new (List<double> Rates, Func<double> Run)[] { (on, With), (bare, NoPickles), (off, Without) };
        for (var round = 0; round < sizes.JournalRounds; round++)
        {
            for (var k = 0; k < variants.Length; k++)
            {
                var (rates, run) = variants[(round + k) % variants.Length];
                rates.Add(run());
            }
            Console.WriteLine($"  round {round + 1}: with {on[^1]:F0}, no pickles {bare[^1]:F0}, without {off[^1]:F0} ({on[^1] / off[^1]:F2}x, {bare[^1] / off[^1]:F2}x)");
        }

        var s = size!.Value;
        Console.WriteLine();
        Console.WriteLine($"journal after one round with it: {s.Rows:N0} entries of {Instances} instances; per entry {s.EntryBytes:F0} bytes of entry JSON + {s.PickleBytes:F0} bytes of pickle = {s.EntryBytes + s.PickleBytes:F0} bytes"
            + (s.DiskBytes is { } disk ? $"; on disk (table and key, dbstat) {disk / s.Rows:F0} bytes per entry" : "; dbstat unavailable: no on-disk figure"));
        report.Add("journal", "journal bytes per durable step (entry JSON + pickle)", $"{s.EntryBytes + s.PickleBytes:F0} B", $"entry {s.EntryBytes:F0} B, pickle {s.PickleBytes:F0} B",
            s.DiskBytes is { } d ? $"on disk {d / s.Rows:F0} B" : "");

        var building = EntryMicros();
        var (best, bestBare, bestOff) = (on.Max(), bare.Max(), off.Max());
        report.Add("journal", $"durable steps/s at {Instances} instances, journal without its pickles (best of {bare.Count})", $"{bestBare:F0}", $"journal off: {bestOff:F0}", $"{bestBare / bestOff:F2}x");
        Console.WriteLine($"building a step's entry (not switched off, so in both figures): {building:F1} µs; a step takes {1e6 / best:F0} µs of the worker's wall time at {best:F0} steps/s ({building * best / 1e4:F1} %)");
        report.Target("journal", $"durable steps/s at {Instances} instances, journal on (best of {on.Count})", $"{best:F0}", $"journal off: {bestOff:F0}",
            $"{best / bestOff:F2}x", $">= {SlowdownTarget:F2}x", best / bestOff >= SlowdownTarget);
        return 0;
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
