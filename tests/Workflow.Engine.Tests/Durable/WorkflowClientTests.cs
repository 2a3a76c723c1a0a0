using Microsoft.Data.Sqlite;
using Workflow.Boundary;
using Workflow.Durable;
using Workflow.Migrations.Sqlite;

namespace Workflow.Tests.Durable;

/// <summary>
/// WorkflowClient's checks, which `wf start`, `wf signal` and the REST API share, on a real SQLite
/// file: whatever they refuse leaves the database as it was. (A `wf` argument cannot carry 2 MiB:
/// Linux limits one to 128 KiB, so the payload limit is tested here rather than through the process.)
/// </summary>
public sealed class WorkflowClientTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wf-client-").FullName;
    private readonly IWorkflowStore _store;

    public WorkflowClientTests()
    {
        _store = SqliteWorkflowDatabase.Open(Path.Combine(_directory, "workflow.db"));
        Assert.False(new WorkflowClient(_store).Deploy("waiter", "def main(input):\n    return await signal('go')\n").HasErrors);
    }

    [Fact]
    public void An_input_over_the_default_limit_of_2_MiB_is_refused_and_one_at_the_limit_is_taken()
    {
        var client = new WorkflowClient(_store);
        var over = JsonString(PayloadLimits.DefaultMaxPayloadBytes + 1);
        var e = Assert.Throws<PayloadTooLargeException>(() => client.Start("waiter", over, "big"));
        Assert.Equal("the input is 2,097,153 bytes of JSON; the limit is 2,097,152 bytes", e.Message);
        Assert.Null(_store.GetInstance("big"));
        Assert.Empty(_store.ListInstances(new InstanceQuery()).Instances);

        var (instance, created) = client.Start("waiter", JsonString(PayloadLimits.DefaultMaxPayloadBytes), "at-limit");
        Assert.True(created);
        Assert.Equal(PayloadLimits.DefaultMaxPayloadBytes, System.Text.Encoding.UTF8.GetByteCount(_store.GetInstance(instance.Id)!.InputJson!));
    }

    [Fact]
    public void The_limit_counts_UTF8_bytes_and_a_client_can_be_given_a_smaller_one()
    {
        var client = new WorkflowClient(_store, maxPayloadBytes: 1024);
        client.Start("waiter", null, "w");
        // 400 "é" are 800 bytes, and 1,000 "é" 2,000 bytes though 1,002 characters.
        Assert.Equal(DeliveryResult.Accepted, client.Signal("w", "go", JsonString(802, '\u00E9')));
        var e = Assert.Throws<PayloadTooLargeException>(() => client.Signal("w", "go", JsonString(2002, '\u00E9')));
        Assert.Equal(1024, e.Limit);
        Assert.Contains("the signal payload is 2,002 bytes", e.Message);
        Assert.Equal(1, InboxCount());
    }

    [Fact]
    public void Input_and_payloads_that_are_not_strict_JSON_are_refused_with_where_they_break()
    {
        var client = new WorkflowClient(_store);
        var e = Assert.Throws<InvalidJsonException>(() => client.Start("waiter", """{"workflow":"probe","input":undefined}""", "x"));
        Assert.Equal("the input is not JSON: line 1, position 29: undefined is not a JSON value (JSON has null)", e.Message);
        client.Start("waiter", null, "w");
        e = Assert.Throws<InvalidJsonException>(() => client.Signal("w", "go", "[1, 2,]"));
        Assert.StartsWith("the signal payload is not JSON: line 1, position 7: ", e.Message);
        Assert.Null(_store.GetInstance("x"));
        Assert.Equal(0, InboxCount());
    }

    [Fact]
    public void Ids_and_names_that_break_a_rule_are_refused_before_anything_is_written()
    {
        var client = new WorkflowClient(_store);
        Assert.Equal(NameKind.InstanceId, Assert.Throws<InvalidNameException>(() => client.Start("waiter", null, "order\u202E71")).Kind);
        Assert.Equal(NameKind.Workflow, Assert.Throws<InvalidNameException>(() => client.Start("wait\u200Ber", null, "y")).Kind);
        Assert.Equal(NameKind.Workflow, Assert.Throws<InvalidNameException>(() => client.Deploy("my flow", "x = 1")).Kind);
        client.Start("waiter", null, "w");
        Assert.Contains("'/': a signal name cannot contain '/'", Assert.Throws<InvalidNameException>(() => client.Signal("w", "approve/reject", "1")).Message);
        Assert.Equal(["w"], _store.ListInstances(new InstanceQuery()).Instances.Select(i => i.Id));
        Assert.Equal(["waiter"], _store.ListDeployments().Select(d => d.Name));
        Assert.Equal(0, InboxCount());
    }

    /// <summary>A JSON string whose text (quotes included) is [bytes] bytes of UTF-8, made of [fill] (one or two bytes each).</summary>
    private static string JsonString(int bytes, char fill = 'a')
    {
        int each = System.Text.Encoding.UTF8.GetByteCount(fill.ToString());
        Assert.Equal(0, (bytes - 2) % each);
        return "\"" + new string(fill, (bytes - 2) / each) + "\"";
    }

    private long InboxCount()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "workflow.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM inbox";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* the OS cleans its temp folder */ }
    }
}
