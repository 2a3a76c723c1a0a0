using Workflow.Durable;

namespace Workflow.Persistence.Tests;

public abstract class ProgramAndInstanceTests(StoreKind kind, StoreCalls calls = StoreCalls.Sync) : StoreTest(kind, calls)
{
    [Fact]
    public void A_program_is_stored_once_per_hash_and_the_latest_of_a_name_wins()
    {
        Store.SaveProgram("order", "changed source", Hash); // same hash: left as it was
        Assert.Equal("def main(input):\n    return input\n", Store.GetProgram(Hash)!.Source);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.SaveProgram("order", "v2", "hash-v2");
        Store.SaveProgram("other", "v1", "hash-other");
        Assert.Equal("hash-v2", Store.GetLatestProgram("order")!.Hash);
        Assert.Equal(Clock.Now.UtcDateTime, Store.GetLatestProgram("order")!.CreatedAt);

        // Two versions deployed in the same millisecond: the later one wins.
        Store.SaveProgram("order", "v3", "hash-v3");
        Assert.Equal("hash-v3", Store.GetLatestProgram("order")!.Hash);
        Assert.Null(Store.GetLatestProgram("missing"));
        Assert.Null(Store.GetProgram("missing"));
    }

    [Fact]
    public void Deploying_an_older_version_again_makes_it_current_and_one_source_can_serve_two_names()
    {
        Store.SaveProgram("order", "v2", "hash-v2");
        Assert.Equal("hash-v2", Store.GetLatestProgram("order")!.Hash);
        Store.SaveProgram("order", "def main(input):\n    return input\n", Hash); // roll back
        Assert.Equal(Hash, Store.GetLatestProgram("order")!.Hash);

        Store.SaveProgram("refund", "def main(input):\n    return input\n", Hash);
        var refund = Store.GetLatestProgram("refund")!;
        Assert.Equal((Hash, "refund"), (refund.Hash, refund.Name));
        Assert.Equal(Hash, Store.GetLatestProgram("order")!.Hash);
    }

    [Fact]
    public void A_version_keeps_the_sources_of_the_modules_it_imports()
    {
        var modules = new Dictionary<string, string> { ["pricing"] = "def total(x):\n    return x\n", ["tax"] = "rate = 2\n" };
        Store.SaveProgram("shop", "import pricing\n", "hash-shop", modules);
        Assert.Equal(modules, Store.GetProgram("hash-shop")!.Modules);
        Assert.Equal(modules, Store.GetLatestProgram("shop")!.Modules);
        Assert.Empty(Store.GetProgram(Hash)!.Modules);
    }

    [Fact]
    public void Starting_an_existing_id_returns_it_unchanged()
    {
        var (first, created) = Store.StartInstance(new NewInstance("i1", "order", Hash, "{\"a\": 1}"));
        Assert.True(created);
        Assert.Equal(InstanceStatus.Running, first.Status);
        Assert.Equal("{\"a\": 1}", first.InputJson);
        Assert.Equal(Now, first.CreatedAt);

        Clock.Advance(TimeSpan.FromSeconds(5));
        var (again, createdAgain) = Store.StartInstance(new NewInstance("i1", "order", Hash, "{\"a\": 2}"));
        Assert.False(createdAgain);
        Assert.Equal(first, again with { Pickle = first.Pickle });
        Assert.Equal("{\"a\": 1}", again.InputJson);
        Assert.Single(Claim());
    }

    [Fact]
    public void Signals_and_cancels_say_what_they_did()
    {
        Assert.Equal(DeliveryResult.NotFound, Store.Signal("nope", "go", "1"));
        Assert.Equal(DeliveryResult.NotFound, Store.Cancel("nope"));

        var claimed = ClaimOne(Start("i1").Id);
        CommitOne(Turn(claimed));
        Assert.Equal(DeliveryResult.Accepted, Store.Signal("i1", "approve", "{\"by\": \"ada\"}"));
        var inbox = ClaimOne("i1").Inbox;
        Assert.Equal(new InboxEntry(inbox[0].Id, InboxKind.Signal, 0, "approve", "{\"by\": \"ada\"}"), inbox.Single());

        var final = Store.ClaimInstances("w2", 10, Now.AddMinutes(2), Now.AddMinutes(3)).Single();
        Assert.NotNull(CommitOne(Turn(final, InstanceStatus.Completed, "1")));
        Assert.Equal(DeliveryResult.AlreadyFinished, Store.Signal("i1", "approve", "null"));
        Assert.Equal(DeliveryResult.AlreadyFinished, Store.Cancel("i1"));
        Assert.Equal(0, Store.Summary().ReadyInstances);
    }

    [Fact]
    public void Instances_list_newest_first_in_pages_filtered_by_status_and_workflow()
    {
        Store.SaveProgram("refund", "x = 1\n", "hash-refund");
        for (var i = 0; i < 7; i++)
        {
            Start($"o{i}");
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        Store.StartInstance(new NewInstance("r0", "refund", "hash-refund", null));
        // Same creation time as r0: ordered by id.
        Store.StartInstance(new NewInstance("r1", "refund", "hash-refund", null));
        var done = Claim().Single(c => c.Instance.Id == "o3");
        CommitOne(Turn(done, InstanceStatus.Completed));

        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = Store.ListInstances(new InstanceQuery(Limit: 3, Cursor: cursor));
            Assert.InRange(page.Instances.Count, 1, 3);
            ids.AddRange(page.Instances.Select(i => i.Id));
            cursor = page.NextCursor;
            pages++;
        } while (cursor != null);
        Assert.Equal(["r1", "r0", "o6", "o5", "o4", "o3", "o2", "o1", "o0"], ids);
        Assert.Equal(3, pages);

        var refunds = Store.ListInstances(new InstanceQuery(Workflow: "refund", Limit: 1));
        Assert.Equal("r1", refunds.Instances.Single().Id);
        Assert.Equal("r0", Store.ListInstances(new InstanceQuery(Workflow: "refund", Limit: 1, Cursor: refunds.NextCursor)).Instances.Single().Id);

        var completed = Store.ListInstances(new InstanceQuery(Status: InstanceStatus.Completed));
        Assert.Equal("o3", completed.Instances.Single().Id);
        Assert.Null(completed.NextCursor);

        Assert.Throws<ArgumentException>(() => Store.ListInstances(new InstanceQuery(Cursor: "not a cursor")));
    }
    [Fact]
    public void The_deployment_list_gives_each_name_its_current_version()
    {
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.SaveProgram("order", "v2", "hash-v2");
        Store.SaveProgram("billing", "v1", "hash-billing");
        Store.SaveProgram("order", "def main(input):\n    return input\n", Hash); // rolled back: current again

        var deployments = Store.ListDeployments();
        Assert.Equal(["billing", "order"], deployments.Select(d => d.Name));
        Assert.Equal(["hash-billing", Hash], deployments.Select(d => d.Hash));
        Assert.Equal(Clock.Now.UtcDateTime, deployments[1].DeployedAt);
    }

    [Fact]
    public void A_names_deployments_are_listed_newest_first_with_their_times()
    {
        var firstAt = Clock.Now.UtcDateTime; // the setup deployed Hash as "order"
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.SaveProgram("order", "v2", "hash-v2");
        var v2At = Clock.Now.UtcDateTime;
        Clock.Advance(TimeSpan.FromSeconds(1));
        Store.SaveProgram("billing", "v1", "hash-billing");
        Store.SaveProgram("order", "def main(input):\n    return input\n", Hash); // rolled back: a deployment of its own

        var order = Store.ListDeploymentsOf("order");
        Assert.Equal([Hash, "hash-v2", Hash], order.Select(d => d.Hash));
        Assert.All(order, d => Assert.Equal("order", d.Name));
        Assert.Equal([Clock.Now.UtcDateTime, v2At, firstAt], order.Select(d => d.DeployedAt));
        Assert.Empty(Store.ListDeploymentsOf("missing"));
        Assert.Equal("v2", Store.GetProgram("hash-v2")!.Source);
    }

    [Fact]
    public void The_list_filtered_by_parent_gives_that_instances_children_only()
    {
        Store.StartInstance(new NewInstance("parent", "order", Hash, null));
        Store.StartInstance(new NewInstance("other", "order", Hash, null));
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Store.StartInstance(new NewInstance("child-a", "order", Hash, null, ParentId: "parent", ParentSequence: 1));
        Store.StartInstance(new NewInstance("grandchild", "order", Hash, null, ParentId: "child-a", ParentSequence: 1));
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Store.StartInstance(new NewInstance("child-b", "order", Hash, null, ParentId: "parent", ParentSequence: 2));
        Store.StartInstance(new NewInstance("nephew", "order", Hash, null, ParentId: "other", ParentSequence: 1));

        Assert.Equal(["child-b", "child-a"], Store.ListInstances(new InstanceQuery(Parent: "parent")).Instances.Select(i => i.Id));
        var first = Store.ListInstances(new InstanceQuery(Parent: "parent", Limit: 1));
        Assert.Equal("child-b", first.Instances.Single().Id);
        Assert.Equal("child-a", Store.ListInstances(new InstanceQuery(Parent: "parent", Limit: 1, Cursor: first.NextCursor)).Instances.Single().Id);
        Assert.Empty(Store.ListInstances(new InstanceQuery(Parent: "child-b")).Instances);
    }

    [Fact]
    public void Pending_work_lists_an_instances_own_activity_tasks_and_timers()
    {
        Start("a");
        Start("b");
        var claimed = Claim();
        var a = claimed.Single(c => c.Instance.Id == "a");
        CommitOne(Turn(a,
            activities: [new ActivityRequest(2, "charge", "[40]", null, null), new ActivityRequest(1, "reserve", "[\"book\"]", 3, null)],
            timers: [new TimerRequest(3, Now.AddDays(1))]));
        CommitOne(Turn(claimed.Single(c => c.Instance.Id == "b"), activities: [new ActivityRequest(1, "other", "[]", null, null)]));
        var task = Store.ClaimActivities("w", 10, Now, Now.AddMinutes(1)).Single(t => t.InstanceId == "a" && t.Sequence == 1);
        Store.RecordActivityAttempt(task.Id, "w", 1, "out of stock", Now.AddMinutes(1));

        var pending = Store.GetPendingWork("a");
        Assert.Equal([(1, "reserve", "[\"book\"]", 1, "out of stock"), (2, "charge", "[40]", 1, null)],
            pending.Activities.Select(p => (p.Sequence, p.Name, p.ArgumentsJson, p.Attempts, p.LastError)));
        Assert.Equal([new TimerRow("a", 3, Now.AddDays(1))], pending.Timers);
        Assert.Empty(Store.GetPendingWork("missing").Activities);
    }
}

public sealed class ProgramAndInstanceTestsOnSqlite() : ProgramAndInstanceTests(StoreKind.Sqlite);

public sealed class ProgramAndInstanceTestsOnPostgres() : ProgramAndInstanceTests(StoreKind.Postgres);

public sealed class ProgramAndInstanceTestsOnSqliteAsync() : ProgramAndInstanceTests(StoreKind.Sqlite, StoreCalls.Async);

public sealed class ProgramAndInstanceTestsOnPostgresAsync() : ProgramAndInstanceTests(StoreKind.Postgres, StoreCalls.Async);
