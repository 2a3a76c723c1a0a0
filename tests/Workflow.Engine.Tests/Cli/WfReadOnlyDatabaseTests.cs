using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Workflow.Migrations.Sqlite;

namespace Workflow.Tests.Cli;

/// <summary>
/// `wf serve` and `wf worker` on a database they may only read stop at once with a non-zero exit and
/// one line naming the file, rather than starting. The tests run as root in CI, where file modes stop
/// nothing, so the child runs without the capabilities that let root write anything (setpriv).
/// </summary>
public class WfReadOnlyDatabaseTests
{
    /// <summary>How the database is read-only: the file, the folder (SQLite cannot make its -wal and -shm files), or the folder with those files there already.</summary>
    public enum ReadOnly { File, Folder, FolderWithItsFiles }

    [Theory]
    [InlineData("serve", ReadOnly.File, "does not take writes: SQLite Error 8: 'attempt to write a readonly database'; this process must be able to write the file and its folder")]
    [InlineData("worker", ReadOnly.File, "does not take writes: SQLite Error 8: 'attempt to write a readonly database'; this process must be able to write the file and its folder")]
    [InlineData("serve", ReadOnly.Folder, "cannot be opened: SQLite Error")]
    [InlineData("worker", ReadOnly.Folder, "cannot be opened: SQLite Error")]
    public void A_read_only_database_stops_the_command_at_start_with_one_line_naming_the_file(string command, ReadOnly how, string why)
    {
        using var database = new ScratchDatabase(how);
        var (exit, stdout, stderr) = RunWithoutWriteCapabilities(database.Folder, command, database.Path);
        Assert.Equal(1, exit);
        var prefix = command == "serve" ? "wf: the server did not start: " : "wf: ";
        Assert.StartsWith($"{prefix}the workflow database {database.Path} {why}", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("serving", stdout);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    public void A_worker_that_cannot_register_beside_a_read_only_database_stops_the_command_with_a_non_zero_exit_naming_it(string command)
    {
        // The database and its -wal and -shm files are writable, so it opens and takes writes; the
        // worker's lock folder beside it cannot be made, and the worker stops as it starts.
        using var database = new ScratchDatabase(ReadOnly.FolderWithItsFiles);
        var (exit, _, stderr) = RunWithoutWriteCapabilities(database.Folder, command, database.Path);
        Assert.Equal(1, exit);
        Assert.Contains($"the worker on {database.Path} stopped: Access to the path '{database.Path}-workers' is denied.", stderr);
    }

    [Theory]
    [InlineData("signal some-id go")]
    [InlineData("cancel some-id")]
    [InlineData("start PROGRAM")]
    public void A_write_refused_by_a_read_only_database_is_one_line_not_a_stack_trace(string commandLine)
    {
        var args = commandLine.Split(' ');
        using var database = new ScratchDatabase(ReadOnly.File);
        var program = WfCommandTests.Program("def main(input):\n    return 1\n");
        var (exit, _, stderr) = RunWithoutWriteCapabilities(database.Folder, [.. args.Select(a => a == "PROGRAM" ? program : a), "--db", database.Path]);
        Assert.Equal(1, exit);
        Assert.StartsWith("wf: the workflow database failed: SQLite Error 8: 'attempt to write a readonly database'", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    private static (int Exit, string Stdout, string Stderr) RunWithoutWriteCapabilities(string workingDirectory, string command, string db) =>
        command == "serve"
            ? RunWithoutWriteCapabilities(workingDirectory, [command, "--db", db, "--urls", "http://127.0.0.1:0"])
            : RunWithoutWriteCapabilities(workingDirectory, [command, "--db", db, "--exit-when-idle"]);

    private static (int Exit, string Stdout, string Stderr) RunWithoutWriteCapabilities(string workingDirectory, string[] args)
    {
        // Root writes read-only files through CAP_DAC_OVERRIDE; the child runs without it (and without
        // CAP_DAC_READ_SEARCH), so file modes bind it as they bind any user. Others need nothing dropped.
        var psi = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv") { ArgumentList = { "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search", "--", "dotnet" } }
            : new ProcessStartInfo("dotnet");
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(WfCommandTests.Wf);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment.Remove("WF_API_KEY");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"wf {args[0]} on a read-only database did not stop: {stderr}");
        }
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>A migrated workflow database in a folder of its own, made read-only as [how] says; disposing restores the modes and deletes it.</summary>
    private sealed class ScratchDatabase : IDisposable
    {
        public readonly string Folder = Directory.CreateTempSubdirectory("wf-readonly-").FullName;
        public string Path => System.IO.Path.Combine(Folder, "workflow.db");
        private readonly SqliteConnection? _holder;

        public ScratchDatabase(ReadOnly how)
        {
            SqliteWorkflowDatabase.Open(Path).Dispose();
            SqliteConnection.ClearAllPools();
            if (how == ReadOnly.FolderWithItsFiles)
            {
                // An open connection that has read keeps the -wal and -shm files in the folder.
                _holder = new SqliteConnection($"Data Source={Path};Pooling=False");
                _holder.Open();
                using var read = _holder.CreateCommand();
                read.CommandText = "SELECT COUNT(*) FROM instances";
                read.ExecuteScalar();
                Assert.True(File.Exists(Path + "-shm"), "the -shm file is not there");
            }
            else
            {
                Assert.False(File.Exists(Path + "-shm"), "the -shm file is still there");
            }
            if (how == ReadOnly.File) File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            else File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        public void Dispose()
        {
            _holder?.Dispose();
            File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (File.Exists(Path)) File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            SqliteConnection.ClearAllPools();
            Directory.Delete(Folder, recursive: true);
        }
    }
}
