using Microsoft.Data.Sqlite;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Tests.Shared;

namespace Workflow.Durability.Tests;

/// <summary>
/// A workflow database (a SQLite file in a fresh temp directory, or with [postgres] a scratch
/// PostgreSQL database) with the crash host's ledger and journal in the directory.
/// </summary>
internal sealed class TestDatabase : IDisposable
{
    public readonly string Directory = System.IO.Directory.CreateTempSubdirectory("wf-durability-").FullName;
    private readonly PostgresScratchDatabase? _postgres;
    public string Path => System.IO.Path.Combine(Directory, "workflow.db");
    /// <summary>What the crash host's --db gets: the SQLite file, or the PostgreSQL connection string.</summary>
    public string Db => _postgres?.ConnectionString ?? Path;
    public PostgresScratchDatabase? Postgres => _postgres;
    public string LedgerPath => System.IO.Path.Combine(Directory, "ledger.db");
    public string JournalPath => System.IO.Path.Combine(Directory, "journal.txt");
    public readonly IWorkflowStore Store;
    public readonly WorkflowClient Client;

    public TestDatabase(bool postgres = false)
    {
        if (postgres) _postgres = new PostgresScratchDatabase();
        Store = WorkflowDatabase.Parse(Db).OpenStore(TimeProvider.System);
        Client = new WorkflowClient(Store);
    }

    public void Deploy(string name, string source)
    {
        var program = Client.Deploy(name, source);
        Assert.False(program.HasErrors, string.Join("\n", program.Diagnostics));
    }

    public InstanceView Instance(string id) => Store.GetInstance(id) ?? throw new Xunit.Sdk.XunitException($"no instance {id}");

    /// <summary>Polls until [done] or [timeout]; false on timeout.</summary>
    public static bool WaitUntil(Func<bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (done()) return true;
            Thread.Sleep(50);
        }
        return done();
    }

    /// <summary>
    /// The crash host's journals say no turn was committed twice: each (instance, claimed revision)
    /// line appears once across all of them. Returns how many turns they hold.
    /// </summary>
    public static int AssertNoTurnCommittedTwice(IEnumerable<string> journals)
    {
        var journal = journals.Where(File.Exists).SelectMany(File.ReadAllLines).Where(l => l.Length > 0).ToArray();
        var repeated = journal.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(repeated.Length == 0, "turns committed twice: " + string.Join(", ", repeated.Take(20)));
        return journal.Length;
    }

    /// <summary>Rows of a query on the ledger database.</summary>
    public List<object[]> Ledger(string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = LedgerPath, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (r.Read())
        {
            var row = new object[r.FieldCount];
            r.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    public void Dispose()
    {
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        _postgres?.Dispose();
        // WF_KEEP_DATABASES=1 leaves the files for a look after a failure.
        if (Environment.GetEnvironmentVariable("WF_KEEP_DATABASES") == "1") return;
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a killed process may still hold a file for a moment; the temp dir is left behind */ }
    }
}
