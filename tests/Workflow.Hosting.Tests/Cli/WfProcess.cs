using System.Diagnostics;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Cli;

/// <summary>Runs the real `wf` tool (wf.dll, copied beside the tests) as a process of its own.</summary>
internal static class WfProcess
{
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wf.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"wf {string.Join(' ', args)} did not finish");
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>The stdout of a run that must have succeeded (its stderr is the failure message).</summary>
    public static string Ok((int Exit, string Stdout, string Stderr) run)
    {
        Assert.True(run.Exit == 0, $"wf exited {run.Exit}: {run.Stderr}");
        return run.Stdout;
    }

    /// <summary>`wf show ID` as JSON.</summary>
    public static JObject Show(string db, string id) => JObject.Parse(Ok(Run("show", id, "--db", db)));
}
