using System.Diagnostics;
using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>
/// Every benchmark figure the issues ask for, as sections run one after the other in one process:
/// the interpreter against CPython, the pickler's times and sizes, durable steps and time per step
/// on a SQLite file, timer lateness, many sleeping instances, and `wf worker` processes on
/// PostgreSQL beside one on SQLite, how soon a killed worker's work is taken up again, and how
/// little instances that compute without end delay the others, and what the journal costs. Each figure is measured beside its baseline in the same run and
/// printed next to its target: speed targets live here, never in timed unit tests, whose timings
/// on a busy machine would be noise. A full run of every section writes BENCHMARKS.md (the table,
/// the machine, the command) at the repository's root.
/// </summary>
internal static class Program
{
    private static readonly string[] Sections = ["interpreter", "pickling", "durable", "timers", "scale", "workers", "recovery", "isolation", "journal"];

    private const string Usage = """
        usage: Workflow.Benchmarks [--quick] [--only SECTION[,SECTION...]] [--runs N] [--samples N] [--rounds N] [--out FILE]
          sections: interpreter, pickling, durable, timers, scale, workers, recovery, isolation, journal (all by default)
          --quick    smaller sizes, the whole run in under two minutes; writes BENCHMARKS.md only with --out
          --out      where to write the report (default: BENCHMARKS.md at the repository root, after a full run of every section)
        """;

    public static int Main(string[] args)
    {
        var sizes = Sizes.Full;
        var only = Sections.ToList();
        string? output = null;
        bool quick = false;
        int? runs = null, samples = null, rounds = null;
        for (int i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    continue;
                case "--only" when value != null && value.Split(',').All(Sections.Contains):
                    only = value.Split(',').ToList();
                    break;
                case "--runs" when Positive(value) is { } n:
                    runs = n;
                    break;
                case "--samples" when Positive(value) is { } n:
                    samples = n;
                    break;
                case "--rounds" when Positive(value) is { } n:
                    rounds = n;
                    break;
                case "--out" when value != null:
                    output = value;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
            i++;
        }
        if (quick) sizes = Sizes.Quick;
        sizes = sizes with
        {
            InterpreterRuns = runs ?? sizes.InterpreterRuns,
            PicklingSamples = samples ?? sizes.PicklingSamples,
            WorkerRounds = rounds ?? sizes.WorkerRounds,
        };
        var complete = only.Count == Sections.Length && !quick;
        output ??= complete ? Path.Combine(RepositoryRoot() ?? ".", "BENCHMARKS.md") : null;

        // Everything printed also goes into the report's last section.
        var console = Console.Out;
        var printed = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(new TeeWriter(console, printed));
        var report = new Report();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        int status = 0;
        try
        {
            Machine.Describe(report);
            foreach (var section in Sections.Where(only.Contains))
            {
                Console.WriteLine($"== {Title(section)}");
                // A section starts on a clean heap, so that none pays for collecting another's garbage
                // (the durable section leaves a 10,000-step history's worth behind).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                var sectionClock = Stopwatch.StartNew();
                status = Math.Max(status, section switch
                {
                    "interpreter" => InterpreterBenchmark.Run(sizes.InterpreterRuns, report),
                    "pickling" => PicklingBenchmark.Run(sizes.PicklingSamples, sizes.PicklingMinimumTime, report),
                    "durable" => new DurableBenchmark(sizes, report).Run(),
                    "timers" => TimerBenchmark.Run(sizes.Timers, report),
                    "scale" => ScaleBenchmark.Run(sizes.SleepingInstances, report),
                    "recovery" => RecoveryBenchmark.Run(sizes.RecoveryKills, report),
                    "isolation" => new IsolationBenchmark(sizes, report).Run(),
                    "journal" => new JournalBenchmark(sizes, report).Run(),
                    _ => WorkerScalingBenchmark.Run(sizes, report),
                });
                Console.WriteLine($"({section}: {sectionClock.Elapsed.TotalSeconds:F0} s)");
                Console.WriteLine();
            }
            var missed = report.Figures.Where(f => f.Met == false).ToList();
            Console.WriteLine($"{report.Figures.Count(f => f.Met != null)} targets, {missed.Count} missed{(missed.Count == 0 ? "" : ": " + string.Join("; ", missed.Select(f => f.Name)))}; {clock.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            Console.SetOut(console);
        }
        if (output != null)
        {
            var command = "dotnet run -c Release --project tests/Workflow.Benchmarks" + (args.Length == 0 ? "" : " -- " + string.Join(' ', args));
            File.WriteAllText(output, report.Markdown(command, started, clock.Elapsed, printed.ToString()));
            Console.WriteLine($"wrote {output}");
        }
        return status;
    }

    private static string Title(string section) => section switch
    {
        "interpreter" => "interpreter: VM vs CPython",
        "pickling" => "pickling",
        "durable" => "durable: steps on SQLite, synchronous=FULL",
        "timers" => "timers: lateness of many timers due in one second",
        "scale" => "scale: instances asleep on timers",
        "recovery" => "recovery: a SIGKILLed wf worker's work taken up again",
        "isolation" => "isolation: probes beside spinning instances, and what slices cost",
        "journal" => "journal: bytes per step, and steps/s with and without it",
        _ => "workers: wf worker processes on PostgreSQL and on SQLite",
    };

    private static int? Positive(string? value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    /// <summary>The nearest directory up from the current one that holds Workflow.sln.</summary>
    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflow.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>Writes to the console and to a copy at once.</summary>
    private sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
    {
        public override System.Text.Encoding Encoding => first.Encoding;

        public override void Write(char value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void Write(string? value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void Flush() => first.Flush();
    }
}
