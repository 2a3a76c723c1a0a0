namespace Workflow.Persistence;

/// <summary>How a PostgreSQL workflow store connects and behaves.</summary>
internal sealed class PostgresStoreOptions
{
    /// <summary>The clock for the times the store stamps itself (created, updated, arrived). The default value is TimeProvider.System.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>
    /// Npgsql's automatic preparation: how many statements each pooled connection keeps prepared
    /// (the store's hot statements are a few dozen). Used only when the connection string does not set
    /// Max Auto Prepare itself; 0 turns preparation off. The default value is 64.
    /// </summary>
    public int MaxAutoPrepare { get; set; } = 64;

    /// <summary>
    /// How many times a call is run again after the server aborted its transaction for a deadlock or
    /// a serialization failure. Such an abort rolls everything back, so running the call again is
    /// safe; they happen when group commits, deliveries and cancellations lock the same instances in
    /// different orders. The error is thrown once the retries are spent. The default value is 5.
    /// </summary>
    public int ConflictRetries { get; set; } = 5;

    /// <summary>Throws one ArgumentException listing every invalid setting.</summary>
    internal void Validate()
    {
        var problems = new List<string>();
        if (Clock == null) problems.Add("Clock must be set");
        if (MaxAutoPrepare < 0) problems.Add($"MaxAutoPrepare must be 0 or more (it is {MaxAutoPrepare})");
        if (ConflictRetries < 0) problems.Add($"ConflictRetries must be 0 or more (it is {ConflictRetries})");
        if (problems.Count > 0) throw new ArgumentException($"invalid PostgreSQL store options: {string.Join("; ", problems)}");
    }
}
