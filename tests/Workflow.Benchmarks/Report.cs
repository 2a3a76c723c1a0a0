using System.Globalization;
using System.Text;

namespace Workflow.Benchmarks;

/// <summary>
/// The run's figures, each beside the baseline it was measured against in the same run and, where
/// an issue names one, its target: every section records here what it prints, and the run ends by
/// writing them as one table in BENCHMARKS.md with the machine, the command and the full output.
/// </summary>
internal sealed class Report
{
    /// <param name="Section">Which benchmark: interpreter, pickling, durable, timers, scale, workers.</param>
    /// <param name="Name">What was measured, in words.</param>
    /// <param name="Value">The figure with its unit.</param>
    /// <param name="Baseline">What it is compared with, measured in the same run, with its value.</param>
    /// <param name="Ratio">Value over baseline, where that means something.</param>
    /// <param name="Target">The issue's target, or empty.</param>
    /// <param name="Met">Whether the target is met; null without a target.</param>
    internal sealed record Figure(string Section, string Name, string Value, string Baseline, string Ratio, string Target, bool? Met);

    private readonly List<Figure> _figures = [];
    private readonly List<(string Name, string Value)> _machine = [];

    public IReadOnlyList<Figure> Figures => _figures;

    /// <summary>Records a figure without a target.</summary>
    public void Add(string section, string name, string value, string baseline, string ratio = "") =>
        _figures.Add(new Figure(section, name, value, baseline, ratio, "", null));

    /// <summary>Records a figure with its target and prints the line every section ends with: PASS or MISS.</summary>
    public void Target(string section, string name, string value, string baseline, string ratio, string target, bool met)
    {
        _figures.Add(new Figure(section, name, value, baseline, ratio, target, met));
        Console.WriteLine($"{name,-48} {value,12} {target,12}   {(met ? "PASS" : "MISS")}");
    }

    /// <summary>Records a fact about the machine or the run (shown above the table).</summary>
    public void Machine(string name, string value) => _machine.Add((name, value));

    /// <summary>BENCHMARKS.md: the command, the machine, the table of figures, the misses, and [output] (what the run printed).</summary>
    public string Markdown(string command, DateTimeOffset started, TimeSpan elapsed, string output)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks");
        md.AppendLine();
        md.AppendLine("Written by the benchmark harness (`tests/Workflow.Benchmarks`); do not edit by hand. To reproduce:");
        md.AppendLine();
        md.AppendLine("```sh");
        md.AppendLine(command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine(Invariant($"Run on {started:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:F1} minutes. Every figure is measured beside its baseline in the same run, "));
        md.AppendLine("on the same machine, so that the ratios hold whatever the machine's speed; the targets are the issues'.");
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        foreach (var (name, value) in _machine) md.AppendLine($"| {name} | {Cell(value)} |");
        md.AppendLine();
        md.AppendLine("## Figures");
        md.AppendLine();
        md.AppendLine("| section | figure | value | baseline (same run) | ratio | target | verdict |");
        md.AppendLine("|---|---|---:|---|---:|---|---|");
        foreach (var f in _figures)
        {
            var verdict = f.Met switch { true => "met", false => "**missed**", null => "" };
            md.AppendLine($"| {f.Section} | {Cell(f.Name)} | {Cell(f.Value)} | {Cell(f.Baseline)} | {Cell(f.Ratio)} | {Cell(f.Target)} | {verdict} |");
        }
        md.AppendLine();
        var missed = _figures.Where(f => f.Met == false).ToList();
        md.AppendLine(missed.Count == 0
            ? "Every target is met in this run."
            : $"Targets missed in this run: {string.Join("; ", missed.Select(f => $"{f.Section}: {f.Name} ({f.Value}, target {f.Target})"))}.");
        md.AppendLine();
        md.AppendLine("## What the run printed");
        md.AppendLine();
        md.AppendLine("```text");
        md.AppendLine(output.TrimEnd());
        md.AppendLine("```");
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
