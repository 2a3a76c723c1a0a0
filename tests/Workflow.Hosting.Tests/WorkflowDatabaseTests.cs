namespace Workflow.Hosting.Tests;

/// <summary>What `--db` means: a PostgreSQL connection string or URL, or else a SQLite file.</summary>
public sealed class WorkflowDatabaseTests
{
    [Theory]
    [InlineData("workflow.db")]
    [InlineData("/var/lib/wf/orders.db")]
    [InlineData("data/with=equals.db")]
    public void A_path_is_a_sqlite_file(string db)
    {
        var database = Assert.IsType<WorkflowDatabase.Sqlite>(WorkflowDatabase.Parse(db));
        Assert.Equal(Path.GetFullPath(db), database.Path);
        Assert.False(database.Clustered);
    }

    [Theory]
    [InlineData("Host=db1;Port=5433;Database=wf;Username=app;Password=secret", "postgres://db1:5433/wf")]
    [InlineData("host=db1;database=wf", "postgres://db1:5432/wf")]
    [InlineData("postgres://app:s%40cret@db1:5433/wf", "postgres://db1:5433/wf")]
    [InlineData("postgresql://db1/wf", "postgres://db1:5432/wf")]
    public void A_connection_string_or_url_is_postgres_and_its_description_hides_the_password(string db, string description)
    {
        var database = Assert.IsType<WorkflowDatabase.Postgres>(WorkflowDatabase.Parse(db));
        Assert.Equal(description, database.Description);
        Assert.True(database.Clustered);
        Assert.DoesNotContain("secret", database.Description);
    }

    [Fact]
    public void Every_process_on_one_postgres_database_gets_the_same_scheduler_name_and_other_databases_another()
    {
        var a = WorkflowDatabase.Parse("Host=db1;Database=wf;Username=x");
        var b = WorkflowDatabase.Parse("postgres://y:z@db1:5432/wf");
        var c = WorkflowDatabase.Parse("Host=db1;Database=other");
        Assert.Equal(a.SchedulerName, b.SchedulerName);
        Assert.NotEqual(a.SchedulerName, c.SchedulerName);
    }
}
