using Microsoft.Data.Sqlite;

namespace Workflow.Benchmarks;

/// <summary>
/// A fresh temporary directory for one section's databases, deleted when disposed. SQLite's pooled
/// connections are closed first, or their files could not go; a directory that still cannot be
/// deleted is left in the temp directory rather than failing a run whose figures are in.
/// </summary>
internal sealed class ScratchDirectory(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* left in the temp directory */ }
    }
}
