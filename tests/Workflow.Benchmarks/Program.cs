using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>
/// The benchmarks, as sections run one after the other in one process: the interpreter against
/// CPython, the pickler's times and sizes, then the durable runtime's steps per second and time
/// per step on a SQLite file, then `wf worker` processes on PostgreSQL beside one on SQLite. Each figure is printed next to its target in the
/// same run: speed targets live here, never in timed unit tests, whose timings on a busy machine
/// would be noise.
/// Usage: dotnet run -c Release --project tests/Workflow.Benchmarks [-- --only interpreter|pickling|durable|workers] [--runs N] [--samples N] [--rounds N]
/// </summary>
internal static class Program
{
    private const string Usage = "usage: Workflow.Benchmarks [--only interpreter|pickling|durable|workers] [--runs N] [--samples N] [--rounds N]";

    public static int Main(string[] args)
    {
        string? only = null;
        int runs = 3; // interpreter: best of N runs of each workload, after one warm-up run
        int samples = 2000; // pickling: the median of N timed operations, after a warm-up
        int rounds = 3; // workers: each configuration measured N times, taking turns; medians reported
        for (int i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--only" when value is "interpreter" or "pickling" or "durable" or "workers":
                    only = value;
                    break;
                case "--runs" when int.TryParse(value, CultureInfo.InvariantCulture, out runs) && runs > 0:
                    break;
                case "--samples" when int.TryParse(value, CultureInfo.InvariantCulture, out samples) && samples > 0:
                    break;
                case "--rounds" when int.TryParse(value, CultureInfo.InvariantCulture, out rounds) && rounds > 0:
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
            i++;
        }

        int status = 0;
        if (only is null or "interpreter")
        {
            Console.WriteLine("== interpreter: VM vs CPython");
            status = Math.Max(status, InterpreterBenchmark.Run(runs));
        }
        if (only is null) Console.WriteLine();
        if (only is null or "pickling")
        {
            Console.WriteLine("== pickling");
            status = Math.Max(status, PicklingBenchmark.Run(samples));
        }
        if (only is null) Console.WriteLine();
        if (only is null or "durable")
        {
            Console.WriteLine("== durable: steps on SQLite, synchronous=FULL");
            status = Math.Max(status, DurableBenchmark.Run());
        }
        if (only is null) Console.WriteLine();
        if (only is null or "workers")
        {
            Console.WriteLine("== workers: wf worker processes on PostgreSQL and on SQLite");
            status = Math.Max(status, WorkerScalingBenchmark.Run(rounds));
        }
        return status;
    }
}
