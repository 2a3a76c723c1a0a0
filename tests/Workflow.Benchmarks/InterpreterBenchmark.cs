using System.Diagnostics;
using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>
/// CPU workloads run in our VM and in python3 on the same machine in the same run; prints the
/// time of each and the ratio (VM / CPython, lower is better) with the geometric mean. Each side
/// is timed around execution only (no process start, no compile), best of [runs] after a warm-up.
/// </summary>
internal static class InterpreterBenchmark
{
    /// <summary>Runs every workload in Workloads/; returns the exit status (1 when the VM and CPython print different things).</summary>
    public static int Run(int runs, Report report)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Workloads");
        var ratios = new List<double>();
        Console.WriteLine($"{"workload",-18} {"VM ms",10} {"CPython ms",12} {"ratio",8}");
        foreach (var file in Directory.GetFiles(dir, "*.wf").OrderBy(f => f, StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var (vmMs, vmOut) = TimeVm(file, runs);
            var (pyMs, pyOut) = TimePython(file, runs);
            if (vmOut != pyOut)
            {
                Console.Error.WriteLine($"{name}: outputs differ: VM {vmOut.Trim()} vs CPython {pyOut.Trim()}");
                return 1;
            }
            var ratio = vmMs / pyMs;
            ratios.Add(ratio);
            Console.WriteLine($"{name,-18} {vmMs,10:F1} {pyMs,12:F1} {ratio,8:F2}");
            report.Add("interpreter", name, $"{vmMs:F1} ms", $"CPython 3: {pyMs:F1} ms", $"{ratio:F2}x");
        }
        var geomean = Math.Exp(ratios.Average(Math.Log));
        Console.WriteLine($"{"geometric mean",-18} {"",10} {"",12} {geomean,8:F2}");
        Console.WriteLine();
        report.Target("interpreter", "geometric mean of VM / CPython time", $"{geomean:F2}x", "CPython 3 on the same workloads", $"{geomean:F2}x", "<= 1.00x", geomean <= 1.0);
        return 0;
    }

    private static (double Ms, string Output) TimeVm(string file, int runs)
    {
        var program = WorkflowProgram.Load(file);
        if (program.HasErrors) throw new InvalidOperationException(string.Join("\n", program.Diagnostics));
        string output = "";
        double best = double.MaxValue;
        for (int run = 0; run <= runs; run++)
        {
            var writer = new StringWriter();
            var sw = Stopwatch.StartNew();
            var result = program.Run(null, writer);
            sw.Stop();
            if (result.Status != Runtime.ProgramStatus.Completed) throw new InvalidOperationException(result.ErrorText);
            output = writer.ToString();
            if (run > 0) best = Math.Min(best, sw.Elapsed.TotalMilliseconds); // run 0 warms up the JIT
        }
        return (best, output);
    }

    private static (double Ms, string Output) TimePython(string file, int runs)
    {
        // The timer wraps exec() of the compiled module, as the VM side wraps Run().
        const string harness = """
            import sys, time, io, contextlib
            src = open(sys.argv[1]).read()
            code = compile(src, sys.argv[1], "exec")
            best = None
            out = ""
            for run in range(int(sys.argv[2]) + 1):
                buf = io.StringIO()
                t0 = time.perf_counter()
                with contextlib.redirect_stdout(buf):
                    exec(code, {"__name__": "__main__"})
                t = (time.perf_counter() - t0) * 1000
                out = buf.getvalue()
                if run > 0:
                    best = t if best is None else min(best, t)
            sys.stdout.write(out)
            sys.stderr.write(repr(best))
            """;
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(harness);
        psi.ArgumentList.Add(file);
        psi.ArgumentList.Add(runs.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException("python3 failed: " + stderr);
        return (double.Parse(stderr.Trim(), CultureInfo.InvariantCulture), stdout.Result);
    }
}
