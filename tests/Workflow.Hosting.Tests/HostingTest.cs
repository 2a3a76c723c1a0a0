using Workflow.Durable;
using Workflow.Migrations.Sqlite;
using Workflow.Persistence;

namespace Workflow.Hosting.Tests;

/// <summary>
/// Each test gets a fresh workflow database in a real SQLite file in its own temporary directory,
/// and puts rows in it the way the runtime does: start an instance, claim it, commit a turn that
/// started activities or timers.
/// </summary>
public abstract class HostingTest : IDisposable
{
    internal const string Hash = "hash-v1";

    internal readonly string Directory = System.IO.Directory.CreateTempSubdirectory("wf-hosting-").FullName;
    internal readonly WorkflowStore Store;

    protected HostingTest()
    {
        Store = SqliteWorkflowDatabase.Open(DatabasePath);
        Store.SaveProgram("order", "def main(input):\n    return input\n", Hash);
    }

    internal string DatabasePath => Path.Combine(Directory, "wf.db");

    internal static DateTime Now => DateTime.UtcNow;

    /// <summary>Starts [id] and commits its first turn: waiting, having started [activities] and [timers].</summary>
    internal void StartWaiting(string id, IReadOnlyList<ActivityRequest>? activities = null, IReadOnlyList<TimerRequest>? timers = null)
    {
        Store.StartInstance(new NewInstance(id, "order", Hash, "{}"));
        var claimed = Store.ClaimInstances("turns", 100, Now, Now.AddMinutes(1)).Single(c => c.Instance.Id == id);
        var revision = Store.CommitTurns([new TurnCommit
        {
            InstanceId = id,
            Revision = claimed.Revision,
            Status = InstanceStatus.Waiting,
            Pickle = [1, 2, 3],
            Activities = activities ?? [],
            Timers = timers ?? [],
        }]).Single();
        Assert.NotNull(revision);
    }

    /// <summary>Starts [id] waiting on one activity call, sequence 1.</summary>
    internal void StartWithActivity(string id, string name, string argumentsJson = "[]", int? retries = null, double? timeoutSeconds = null) =>
        StartWaiting(id, activities: [new ActivityRequest(1, name, argumentsJson, retries, timeoutSeconds)]);

    /// <summary>What arrived in [id]'s inbox, read by claiming it (empty when it is not ready).</summary>
    internal IReadOnlyList<InboxEntry> Inbox(string id) =>
        Store.ClaimInstances("reader", 1000, Now, Now.AddMilliseconds(1)).SingleOrDefault(c => c.Instance.Id == id)?.Inbox ?? [];

    /// <summary>Polls [id]'s inbox until something arrives, or fails after [timeout].</summary>
    internal async Task<IReadOnlyList<InboxEntry>> WaitForInbox(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var inbox = Inbox(id);
            if (inbox.Count > 0) return inbox;
            await Task.Delay(20);
        }
        Assert.Fail($"nothing arrived for {id} within {timeout}");
        return [];
    }

    public virtual void Dispose()
    {
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
