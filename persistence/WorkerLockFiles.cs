using System.Security.Cryptography;
using System.Text;

namespace Workflow.Persistence;

/// <summary>
/// How workers on one SQLite file tell a live worker from a dead one: each holds an exclusive lock on
/// a file of its own in the folder beside the database (`workflow.db-workers/`) for as long as its
/// process lives. .NET takes the lock with flock(2) on Unix and a share mode on Windows; either way
/// the operating system drops it the moment the process ends, however it ends, so a worker that can
/// take another's lock knows that one is gone, with no lease to wait out.
/// </summary>
internal static class WorkerLockFiles
{
    /// <summary>The folder of the lock files of the workers on the database file [databasePath].</summary>
    public static string Folder(string databasePath) => databasePath + "-workers";

    /// <summary>Takes [workerId]'s lock for the life of the returned stream (creating the folder and the file).</summary>
    public static FileStream Take(string folder, string workerId)
    {
        Directory.CreateDirectory(folder);
        return new FileStream(PathOf(folder, workerId), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
    }

    /// <summary>
    /// Whether [workerId]'s lock is still held. A free lock means its process is gone; its file is
    /// deleted then. A missing file counts as free: a worker takes its lock before it writes its row.
    /// Null when it cannot be told (the file cannot be opened for another reason): the heartbeat decides.
    /// </summary>
    public static bool? IsHeld(string folder, string workerId)
    {
        var path = PathOf(folder, workerId);
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            File.Delete(path);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        catch (IOException) { return true; } // the sharing violation: its owner holds it
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Deletes [workerId]'s lock file once its stream is closed (a graceful stop).</summary>
    public static void Remove(string folder, string workerId)
    {
        try { File.Delete(PathOf(folder, workerId)); }
        catch (IOException) { /* another worker's check holds it for a moment; it deletes the file itself */ }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Worker ids hold characters no file name may ('/', ':'); the file is named by a hash of the id.</summary>
    internal static string PathOf(string folder, string workerId) =>
        Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workerId)), 0, 12) + ".lock");
}
