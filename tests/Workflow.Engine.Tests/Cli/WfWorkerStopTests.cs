using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace Workflow.Tests.Cli;

/// <summary>
/// `wf worker` stopped as systemd or `docker stop` stops it (SIGTERM) while activities run: it
/// stops gracefully, logs one line per abandoned activity (no stack trace), and hands its claims
/// back at once, so another worker (or its own restart) runs them without waiting for a lease.
/// </summary>
public class WfWorkerStopTests
{
    [Fact]
    public void SIGTERM_mid_activity_abandons_each_task_in_one_line_and_releases_every_claim()
    {
        // A service that accepts connections and never answers: the http_get activities stay mid-run.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await silent.AcceptSocketAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/slow";
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        var program = WfCommandTests.Program($"def main(input):\n    return await activity('http_get', '{url}')\n");
        for (var i = 0; i < 2; i++) Assert.Equal(0, WfCommandTests.Wf_("start", program, "--db", db).Exit);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { WfCommandTests.Wf, "worker", "--db", db }) psi.ArgumentList.Add(a);
        using var worker = Process.Start(psi)!;
        var stdout = worker.StandardOutput.ReadToEndAsync();
        var stderr = worker.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (Query(db, "SELECT COUNT(*) FROM activity_tasks WHERE LeaseOwner IS NOT NULL") != 2)
        {
            if (worker.HasExited) Assert.Fail("the worker exited:\n" + stderr.Result);
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the activities were never claimed");
            Thread.Sleep(20);
        }
        Assert.Equal(1, Query(db, "SELECT COUNT(*) FROM workers"));

        using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString()])) kill.WaitForExit();
        Assert.True(worker.WaitForExit(30_000), "the worker did not stop within 30 s of SIGTERM");
        var log = stderr.Result + stdout.Result;
        Assert.True(worker.ExitCode == 0, $"exit {worker.ExitCode}: {log}");
        Assert.Equal(2, log.Split('\n').Count(l => l.Contains("abandoned at shutdown")));
        Assert.DoesNotContain("   at ", log); // no stack trace
        // Its claims are free now, its registration gone.
        Assert.Equal(0, Query(db, "SELECT COUNT(*) FROM activity_tasks WHERE LeaseOwner IS NOT NULL OR LeaseExpiresAt IS NOT NULL"));
        Assert.Equal(2, Query(db, "SELECT COUNT(*) FROM activity_tasks"));
        Assert.Equal(0, Query(db, "SELECT COUNT(*) FROM workers"));
        silent.Stop();
        foreach (var socket in accepted) socket.Dispose();
    }

    private static long Query(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
