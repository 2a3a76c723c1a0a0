using Npgsql;

namespace Workflow.Tests.Shared;

/// <summary>
/// An empty database of its own on the test PostgreSQL server (WF_POSTGRES, which .ci/run sets; by
/// default the local server's `workflow_tests` login), dropped WITH (FORCE) on dispose. Linked into
/// the test projects that run hosts or workers on PostgreSQL.
/// </summary>
internal sealed class PostgresScratchDatabase : IDisposable
{
    public static readonly string Server =
        Environment.GetEnvironmentVariable("WF_POSTGRES") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : "Host=127.0.0.1;Port=5432;Username=workflow;Password=workflow;Database=workflow_tests";

    public PostgresScratchDatabase()
    {
        Name = $"wf_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{Name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = Name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
