using Workflow.Durable;
using Workflow.Migrations.Sqlite;

namespace Workflow.Persistence.Tests;

/// <summary>A SQLite file in a temporary directory of its own.</summary>
internal sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wf-store-").FullName;

    public string Path => System.IO.Path.Combine(_directory, "wf.db");

    public override IWorkflowStore Open(TimeProvider clock) => SqliteWorkflowDatabase.Open(Path, new SqliteStoreOptions { Clock = clock });

    public override void DropWorkerHold(string workerId)
    {
        var file = WorkerLockFiles.PathOf(WorkerLockFiles.Folder(Path), workerId);
        if (!File.Exists(file)) throw new InvalidOperationException($"worker {workerId} has no lock file {file}");
        File.Delete(file);
    }

    public override void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { } // a file still open on a slow file system: the temp directory is cleaned eventually
    }
}
