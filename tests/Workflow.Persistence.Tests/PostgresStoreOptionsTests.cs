using Workflow.Migrations.Postgres;

namespace Workflow.Persistence.Tests;

/// <summary>PostgresStoreOptions and the connection string: checked before any server is contacted.</summary>
public sealed class PostgresStoreOptionsTests
{
    [Fact]
    public void Invalid_options_are_reported_together_before_connecting()
    {
        var options = new PostgresStoreOptions { MaxAutoPrepare = -1, ConflictRetries = -2 };
        var error = Assert.Throws<ArgumentException>(() => PostgresWorkflowDatabase.Open("Host=nowhere.invalid;Database=wf", options));
        Assert.Contains("MaxAutoPrepare must be 0 or more (it is -1)", error.Message);
        Assert.Contains("ConflictRetries must be 0 or more (it is -2)", error.Message);
    }

    [Theory]
    [InlineData("Host=db;Database=wf", false)]
    [InlineData("Host=db;Database=wf;Max Auto Prepare=0", true)]
    [InlineData("Host=db;Database=wf;maxautoprepare=20", true)]
    public void The_connection_strings_own_preparation_setting_wins(string connectionString, bool setsIt) =>
        Assert.Equal(setsIt, PostgresWorkflowStore.SetsMaxAutoPrepare(connectionString));
}
