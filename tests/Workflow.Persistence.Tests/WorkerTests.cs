using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>Workers' liveness: registrations, heartbeats, and the release of a dead worker's claims.</summary>
public abstract class WorkerTests(StoreKind kind) : StoreTest(kind)
{
    /// <summary>Instance [id] started, run once (it waits for activity 1), then claimed again by [worker] with a long lease, as if mid-turn; activity 1 claimed by [worker] too.</summary>
    private void ClaimedBy(string worker, string id)
    {
        Start(id);
        CommitOne(Turn(ClaimOne(id), activities: [new ActivityRequest(1, "charge", "[1]", 2, 10)]));
        Store.Signal(id, "go", "1");
        Assert.Single(Store.ClaimInstances(worker, 100, Now, Now.AddMinutes(30)), c => c.Instance.Id == id);
        Assert.Single(Store.ClaimActivities(worker, 100, Now, Now.AddMinutes(30)), t => t.InstanceId == id);
    }

    private bool InstanceClaimable(string id) => Store.ClaimInstances("probe", 100, Now, Now.AddSeconds(1)).Any(c => c.Instance.Id == id);

    private bool TaskClaimable(string id) => Store.ClaimActivities("probe", 100, Now, Now.AddSeconds(1)).Any(t => t.InstanceId == id);

    [Fact]
    public void A_dead_workers_claims_are_released_at_once_and_a_live_workers_are_not()
    {
        using var dead = Store.RegisterWorker("dead", Now);
        using var live = Store.RegisterWorker("live", Now);
        using var self = Store.RegisterWorker("self", Now);
        ClaimedBy("dead", "i1");
        ClaimedBy("live", "i2");
        Assert.Empty(Store.ReleaseDeadWorkers("self", Now.AddSeconds(-10)));

        Database.DropWorkerHold("dead");
        Assert.Equal(["dead"], Store.ReleaseDeadWorkers("self", Now.AddSeconds(-10)));
        Assert.True(InstanceClaimable("i1"), "the dead worker's instance is not claimable");
        Assert.True(TaskClaimable("i1"), "the dead worker's activity task is not claimable");
        Assert.False(InstanceClaimable("i2"), "the live worker's instance was released");
        Assert.False(TaskClaimable("i2"), "the live worker's activity task was released");
        // Its row is gone: it is released once.
        Assert.Empty(Store.ReleaseDeadWorkers("self", Now.AddSeconds(-10)));
    }

    [Fact]
    public void A_worker_whose_heartbeat_went_silent_counts_as_dead_and_registers_again_at_its_next_beat()
    {
        using var silent = Store.RegisterWorker("silent", Now);
        using var beating = Store.RegisterWorker("beating", Now);
        ClaimedBy("silent", "i1");
        Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.True(beating.Heartbeat(Now));

        Assert.Equal(["silent"], Store.ReleaseDeadWorkers("beating", Now.AddSeconds(-10)));
        Assert.True(InstanceClaimable("i1"));
        // It was alive after all: its next beat finds its row gone and writes it again.
        Assert.False(silent.Heartbeat(Now));
        Assert.True(silent.Heartbeat(Now));
        Assert.Empty(Store.ReleaseDeadWorkers("beating", Now.AddSeconds(-10)));
    }

    [Fact]
    public void A_worker_that_lost_its_hold_while_alive_takes_it_again_at_its_next_beat()
    {
        using var cut = Store.RegisterWorker("cut", Now);
        ClaimedBy("cut", "i1");
        Database.DropWorkerHold("cut");
        Assert.Equal(["cut"], Store.ReleaseDeadWorkers("other", Now.AddSeconds(-10)));
        Assert.True(InstanceClaimable("i1"));

        Assert.False(cut.Heartbeat(Now)); // its row was gone: written again, and its hold taken again
        Assert.Empty(Store.ReleaseDeadWorkers("other", Now.AddSeconds(-10)));
        Assert.True(cut.Heartbeat(Now));
    }

    [Fact]
    public void A_graceful_stop_releases_the_workers_own_claims()
    {
        var leaving = Store.RegisterWorker("leaving", Now);
        ClaimedBy("leaving", "i1");
        Assert.False(InstanceClaimable("i1"));
        leaving.Dispose();
        Assert.True(InstanceClaimable("i1"));
        Assert.True(TaskClaimable("i1"));
        Assert.Empty(Store.ReleaseDeadWorkers("other", Now.AddSeconds(-10)));
    }
}

public sealed class WorkerTestsOnSqlite() : WorkerTests(StoreKind.Sqlite)
{
    [Fact]
    public void A_lock_file_is_held_while_its_stream_is_open_and_free_once_it_closes()
    {
        var folder = WorkerLockFiles.Folder(((SqliteTestDatabase)Database).Path);
        var held = WorkerLockFiles.Take(folder, "w1");
        Assert.True(WorkerLockFiles.IsHeld(folder, "w1"));
        // Closing the stream is what the OS does for a process that died.
        held.Dispose();
        Assert.False(WorkerLockFiles.IsHeld(folder, "w1"));
        Assert.False(File.Exists(WorkerLockFiles.PathOf(folder, "w1")), "the free lock's file was not deleted");
        Assert.False(WorkerLockFiles.IsHeld(folder, "never-registered"));
    }
}

public sealed class WorkerTestsOnPostgres() : WorkerTests(StoreKind.Postgres);
