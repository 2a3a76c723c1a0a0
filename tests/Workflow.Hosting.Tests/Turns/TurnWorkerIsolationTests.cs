using Workflow.Durable;

namespace Workflow.Hosting.Tests.Turns;

/// <summary>A turn worker's batches on a real SQLite file: a refused commit and a busy instance cost only their own instance.</summary>
public class TurnWorkerIsolationTests : HostingTest
{
    private readonly SpyStore _spy;

    public TurnWorkerIsolationTests()
    {
        _spy = new SpyStore(Store);
        Store.SaveProgram("echo", "def main(input):\n    return input\n", "hash-echo");
    }

    private void StartEcho(string id, string input) => Store.StartInstance(new NewInstance(id, "echo", "hash-echo", input));

    [Fact]
    public void A_commit_the_database_refuses_fails_only_its_own_instance_and_the_rest_of_the_batch_commits()
    {
        StartEcho("good-1", "1");
        StartEcho("bad", "\"refused\"");
        StartEcho("good-2", "2");
        _spy.RefuseCommit = c => c.InstanceId == "bad" && c.Status == InstanceStatus.Completed;
        var worker = new TurnWorker(_spy, null);

        Assert.Equal(3, worker.RunOnce());

        Assert.Equal((InstanceStatus.Completed, "1"), Outcome("good-1"));
        Assert.Equal((InstanceStatus.Completed, "2"), Outcome("good-2"));
        var bad = Store.GetInstance("bad")!;
        Assert.Equal(InstanceStatus.Failed, bad.Status);
        Assert.Contains("the database refused it: string or blob too big (simulated)", bad.Error);
        // The group, then each of the three, the refused one twice, then the failure in its place.
        Assert.Equal(1 + 3 + 1 + 1, _spy.CommitCalls);
    }

    [Fact]
    public void When_the_database_refuses_everything_no_instance_is_failed_and_the_error_reaches_the_caller()
    {
        StartEcho("a", "1");
        StartEcho("b", "2");
        _spy.RefuseCommit = _ => true;
        var worker = new TurnWorker(_spy, null);

        Assert.Throws<InvalidOperationException>(() => worker.RunOnce());

        Assert.All(new[] { "a", "b" }, id => Assert.Equal(InstanceStatus.Running, Store.GetInstance(id)!.Status));
    }

    [Fact]
    public void A_busy_instance_is_committed_at_the_end_of_its_slice_and_fresh_instances_of_the_batch_are_not_held_for_it()
    {
        Store.SaveProgram("spin", "def main(input):\n    n = 0\n    for i in range(input):\n        n += i\n    return n\n", "hash-spin");
        Store.StartInstance(new NewInstance("spinner", "spin", "hash-spin", "5000000"));
        StartEcho("probe", "\"hello\"");
        var worker = new TurnWorker(_spy, null, new WorkerOptions { Turn = new TurnOptions { Slice = TimeSpan.FromMilliseconds(20) } });

        Assert.Equal(2, worker.RunOnce());

        Assert.Equal((InstanceStatus.Completed, "\"hello\""), Outcome("probe"));
        Assert.Equal(InstanceStatus.Running, Store.GetInstance("spinner")!.Status);
        // It goes on in the busy lane only; the fresh lane has nothing left.
        Assert.Empty(Store.ClaimInstances("other", 10, Now, Now.AddSeconds(1), ClaimLane.Fresh));
        int turns = 1;
        while (Store.GetInstance("spinner")!.Status == InstanceStatus.Running && turns < 10_000)
        {
            worker.RunOnce();
            turns++;
        }
        Assert.Equal((InstanceStatus.Completed, "12499997500000"), Outcome("spinner"));
        Assert.True(turns >= 2, "the spinner ran in one turn: it was never sliced");
    }

    private (InstanceStatus, string?) Outcome(string id)
    {
        var instance = Store.GetInstance(id)!;
        return (instance.Status, instance.ResultJson);
    }
}
