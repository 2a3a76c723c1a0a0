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
    [InlineData("Host=db;Database=wf", "Max Auto Prepare", false)]
    [InlineData("Host=db;Database=wf;Max Auto Prepare=0", "Max Auto Prepare", true)]
    [InlineData("Host=db;Database=wf;maxautoprepare=20", "Max Auto Prepare", true)]
    [InlineData("Host=db;Database=wf;maxautoprepare=20", "No Reset On Close", false)]
    [InlineData("Host=db;Database=wf;No Reset On Close=false", "No Reset On Close", true)]
    public void The_connection_strings_own_settings_win(string connectionString, string keyword, bool setsIt) =>
        Assert.Equal(setsIt, PostgresWorkflowStore.Sets(connectionString, keyword));
}
