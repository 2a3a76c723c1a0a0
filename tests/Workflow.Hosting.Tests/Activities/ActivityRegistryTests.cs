using Newtonsoft.Json.Linq;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting.Tests.Activities;

public sealed class ActivityRegistryTests
{
    [Fact]
    public void TheBuiltins_AreRegisteredByDefault()
    {
        var registry = new ActivityRegistry();
        Assert.Equal(["echo", "http_get", "http_post"], registry.Names.Order());
    }

    [Fact]
    public async Task Add_RegistersSynchronousAndAsynchronousHandlers()
    {
        var registry = new ActivityRegistry()
            .Add("sync", context => context.Attempt)
            .Add("async", async context =>
            {
                await Task.Yield();
                return (JToken)context.IdempotencyKey;
            });
        var context = new ActivityContext("x", new JArray(), "i/1", 2, CancellationToken.None);

        Assert.True(registry.TryGet("sync", out var sync));
        Assert.True(registry.TryGet("async", out var asyncHandler));
        Assert.Equal(2, (int)(await sync(context))!);
        Assert.Equal("i/1", (string?)await asyncHandler(context));
        Assert.False(registry.TryGet("missing", out _));
    }

    [Fact]
    public void Add_RefusesAnEmptyName()
    {
        Assert.Throws<ArgumentException>(() => new ActivityRegistry().Add(" ", _ => JValue.CreateNull()));
    }

    [Fact]
    public void Remove_UnregistersABuiltin()
    {
        var registry = new ActivityRegistry();
        Assert.True(registry.Remove("http_post"));
        Assert.False(registry.Contains("http_post"));
    }
}

public sealed class ActivityOptionsTests
{
    [Fact]
    public void TheDefaults_AreValid()
    {
        var options = new ActivityOptions();
        options.Validate();
        Assert.Equal((3, TimeSpan.FromSeconds(30), 64), (options.Retries, options.Timeout, options.MaxConcurrency));
    }

    [Fact]
    public void Validate_ListsEveryProblemInOneException()
    {
        var options = new ActivityOptions { Retries = -1, Timeout = TimeSpan.Zero, MaxConcurrency = 0, BaseDelay = TimeSpan.FromMinutes(2) };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith("invalid ActivityOptions: ", error.Message);
        Assert.Contains("Retries must be 0 or more (was -1)", error.Message);
        Assert.Contains("Timeout must be from 10 ms to 24 hours", error.Message);
        Assert.Contains("MaxDelay must be from BaseDelay to 1 day", error.Message);
        Assert.Contains("MaxConcurrency must be 1 or more (was 0)", error.Message);
        Assert.DoesNotContain("ClaimBatchSize", error.Message);
    }

    [Fact]
    public void ALeaseOutsideOneSecondToAnHour_IsRefused_AndAShortLeaseWithALongTimeoutIsFine()
    {
        foreach (var lease in new[] { TimeSpan.FromMilliseconds(999), TimeSpan.FromHours(1.01) })
        {
            var error = Assert.Throws<ArgumentException>(new ActivityOptions { LeaseDuration = lease }.Validate);
            Assert.Contains("LeaseDuration must be from 1 second to 1 hour", error.Message);
        }
        // The lease is renewed while the task runs: it need not outlast the timeout.
        new ActivityOptions { Timeout = TimeSpan.FromHours(2), LeaseDuration = TimeSpan.FromSeconds(15) }.Validate();
    }
}
