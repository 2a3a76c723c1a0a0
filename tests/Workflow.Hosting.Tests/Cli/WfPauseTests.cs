using Newtonsoft.Json.Linq;
using Workflow.Tests.Shared;

using static Workflow.Hosting.Tests.Cli.WfProcess;

namespace Workflow.Hosting.Tests.Cli;

/// <summary>`wf pause` and `wf resume` as real processes, on a SQLite file and on a PostgreSQL database.</summary>
public sealed class WfPauseTests
{
    private const string Approval = """
        def main(input):
            decision = await signal('decision')
            return {'decision': decision}
        """;

    [Fact]
    public void A_paused_instance_keeps_its_signal_until_wf_resume_on_sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("wf-pause-");
        try
        {
            PauseSignalResume(Path.Combine(directory.FullName, "wf.db"), directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_paused_instance_keeps_its_signal_until_wf_resume_on_postgres()
    {
        using var database = new PostgresScratchDatabase();
        var directory = Directory.CreateTempSubdirectory("wf-pause-");
        try
        {
            PauseSignalResume(database.ConnectionString, directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Every step waits for its process: `wf worker --exit-when-idle` runs until nothing can make
    /// progress, so a worker that did not skip paused instances would have consumed the signal by the
    /// time it exits.
    /// </summary>
    private static void PauseSignalResume(string db, string directory)
    {
        var program = Path.Combine(directory, "approval.wf");
        File.WriteAllText(program, Approval);
        Ok(Run("start", program, "--db", db, "--id", "order-1"));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal("waiting", (string?)Show(db, "order-1")["status"]);

        Ok(Run("pause", "order-1", "--db", db));
        Ok(Run("pause", "order-1", "--db", db)); // again: accepted, nothing changes
        var paused = Show(db, "order-1");
        Assert.Equal("paused", (string?)paused["status"]);
        Assert.StartsWith("order-1\tapproval\tpaused\t", Ok(Run("ls", "--db", db, "--status", "paused")));
        Assert.Equal("", Ok(Run("ls", "--db", db, "--status", "waiting")));

        Ok(Run("signal", "order-1", "decision", "--db", db, "--payload", "\"approved\""));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        var still = Show(db, "order-1");
        Assert.Equal(("paused", (int)paused["turns"]!), ((string)still["status"]!, (int)still["turns"]!));
        Assert.Equal(JTokenType.Null, still["result"]!.Type);

        Ok(Run("resume", "order-1", "--db", db));
        Assert.Equal("waiting", (string?)Show(db, "order-1")["status"]);
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        var done = Show(db, "order-1");
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(new JObject { ["decision"] = "approved" }, done["result"]);

        // Refused: a finished instance, an unknown one (exit 1, with the reason); a bad status name (exit 2).
        foreach (var command in new[] { "pause", "resume" })
        {
            var (exit, _, stderr) = Run(command, "order-1", "--db", db);
            Assert.Equal((1, "wf: instance 'order-1' has finished; nothing was sent\n"), (exit, stderr));
            (exit, _, stderr) = Run(command, "nobody", "--db", db);
            Assert.Equal((1, "wf: no instance 'nobody'\n"), (exit, stderr));
        }
        Assert.Equal(2, Run("ls", "--db", db, "--status", "sleeping").Exit);
    }
}
