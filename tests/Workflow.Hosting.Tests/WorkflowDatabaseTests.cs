namespace Workflow.Hosting.Tests;

/// <summary>What `--db` means: a PostgreSQL connection string with a Host or a URL, a SQLite path, or a refusal; and what the options mean.</summary>
public sealed class WorkflowDatabaseTests
{
    [Theory]
    [InlineData("workflow.db")]
    [InlineData("/var/lib/wf/orders.db")]
    [InlineData("data/with=equals.db")]
    [InlineData("./odd;name=file.db")]
    [InlineData("/srv/a=b;c=d.db")]
    public void A_path_is_a_sqlite_file(string db)
    {
        var database = Assert.IsType<WorkflowDatabase.Sqlite>(WorkflowDatabase.Parse(db));
        Assert.Equal(Path.GetFullPath(db), database.Path);
        Assert.False(database.Clustered);
    }

    [Theory]
    [InlineData("Host=db1;Port=5433;Database=wf;Username=app;Password=secret", "postgres://db1:5433/wf")]
    [InlineData("host=db1;database=wf", "postgres://db1:5432/wf")]
    [InlineData("Host=db1", "postgres://db1:5432/")]
    [InlineData("Database=wf;Host=db1;Password=secret", "postgres://db1:5432/wf")]
    [InlineData("postgres://app:s%40cret@db1:5433/wf", "postgres://db1:5433/wf")]
    [InlineData("postgresql://db1/wf", "postgres://db1:5432/wf")]
    public void A_connection_string_with_a_host_or_a_url_is_postgres_and_its_description_hides_the_password(string db, string description)
    {
        var database = Assert.IsType<WorkflowDatabase.Postgres>(WorkflowDatabase.Parse(db));
        Assert.Equal(description, database.Description);
        Assert.True(database.Clustered);
        Assert.DoesNotContain("secret", database.Description);
    }

    [Theory]
    [InlineData("Server=db1")]
    [InlineData("Server=db1;Database=wf;Password=hunter2")]
    [InlineData("Database=wf")]
    [InlineData("Username=app;Password=hunter2")]
    [InlineData("user id = app")]
    [InlineData("Data Source=workflow.db")]
    [InlineData("a=b;c=d")]
    [InlineData("Host=db1;Colour=blue;Password=hunter2")]
    [InlineData("Host=;Database=wf")]
    [InlineData("postgres://")]
    public void Text_that_looks_like_a_connection_string_without_a_usable_host_is_refused_saying_how_to_write_both(string db)
    {
        var error = Assert.Throws<FormatException>(() => WorkflowDatabase.Parse(db));
        Assert.Contains("workflow.db", error.Message);
        Assert.Contains("Host=db1;Database=wf", error.Message);
        Assert.Contains("postgres://app:password@db1/wf", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
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

    [Theory]
    [InlineData("Host=db1;Database=wf", "postgres://db1:5432/wf")]
    // The option says the provider, so Npgsql's own synonyms (Server= for Host=) are fine here; only --db needs Host= to choose.
    [InlineData("Server=db1;Database=wf", "postgres://db1:5432/wf")]
    [InlineData("postgres://app:pw@db1:5433/wf", "postgres://db1:5433/wf")]
    public void A_postgres_connection_string_option_is_postgres_without_looking_at_its_text(string connectionString, string description)
    {
        var options = new WorkflowOptions { PostgresConnectionString = connectionString };
        Assert.Empty(options.Problems());
        Assert.Equal(description, Assert.IsType<WorkflowDatabase.Postgres>(options.Database()).Description);
    }

    [Theory]
    [InlineData("workflow.db")]
    [InlineData("Database=wf")]
    [InlineData("Host=db1;Colour=blue")]
    public void A_postgres_connection_string_option_that_is_not_one_is_a_problem_not_a_sqlite_file(string connectionString)
    {
        var problem = Assert.Single(new WorkflowOptions { PostgresConnectionString = connectionString }.Problems());
        Assert.StartsWith("PostgresConnectionString (UsePostgres) must be a PostgreSQL connection string", problem);
        Assert.Throws<FormatException>(() => new WorkflowOptions { PostgresConnectionString = connectionString }.Database());
    }

    [Fact]
    public void A_database_path_option_is_a_sqlite_file_even_when_it_looks_like_a_connection_string()
    {
        var options = new WorkflowOptions { DatabasePath = "Host=db1;Database=wf" };
        Assert.Empty(options.Problems());
        Assert.Equal(Path.GetFullPath("Host=db1;Database=wf"), Assert.IsType<WorkflowDatabase.Sqlite>(options.Database()).Path);
    }
}
