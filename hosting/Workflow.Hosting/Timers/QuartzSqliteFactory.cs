using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Workflow.Hosting.Timers;

/// <summary>
/// Microsoft.Data.Sqlite for Quartz's job store, with two pragmas on each connection it opens:
/// <list type="bullet">
/// <item>busy_timeout: Quartz and the workflow store write the same file. Without it a connection
/// that finds the file locked fails to Microsoft.Data.Sqlite's own retry, which sleeps 150 ms at a
/// time; measured, that made Quartz fire in bursts every ~155 ms. SQLite's busy handler retries
/// within a millisecond or two.</item>
/// <item>synchronous = NORMAL: Quartz commits several transactions per firing, and FULL waits for
/// an fsync on each. NORMAL in WAL mode keeps the file consistent and only risks the last
/// transactions on a power cut, and Quartz's rows are not the truth: a trigger lost that way is put
/// back by the reconcile at start-up. (The workflow store's own connections keep their setting.)</item>
/// </list>
/// </summary>
internal sealed class QuartzSqliteFactory(TimeSpan busyTimeout) : DbProviderFactory
{
    public override DbConnection CreateConnection() => new Connection((long)busyTimeout.TotalMilliseconds);

    public override DbCommand CreateCommand() => new SqliteCommand();

    public override DbParameter CreateParameter() => new SqliteParameter();

    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new SqliteConnectionStringBuilder();

    private sealed class Connection(long busyTimeoutMs) : SqliteConnection
    {
        public override void Open()
        {
            base.Open();
            using var pragma = CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = NORMAL;";
            pragma.ExecuteNonQuery();
        }
    }
}
