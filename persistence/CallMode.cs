using System.Data.Common;

namespace Workflow.Persistence;

/// <summary>
/// How a store call waits. Sync: on the caller's thread, as the workers' loops do (they own their
/// threads). Async: every wait (the SQLite write gate, a pooled connection, a round trip to the
/// server) is awaited and holds no thread, as the REST API and the health check need (they run on
/// the thread pool, which a few hundred blocked requests would starve). One body of code serves
/// both, so an operation has one SQL text: it runs its statements through the extension methods
/// below, which take the mode and do one or the other.
/// </summary>
internal readonly struct CallMode
{
    private CallMode(CancellationToken cancellation)
    {
        IsAsync = true;
        Cancellation = cancellation;
    }

    /// <summary>On the caller's thread from start to end; never cancelled.</summary>
    public static CallMode Sync => default;

    /// <summary>Awaiting every wait; [cancellation] (the request's) stops the call until its transaction begins to commit.</summary>
    public static CallMode Async(CancellationToken cancellation) => new(cancellation);

    public bool IsAsync { get; }

    public CancellationToken Cancellation { get; }
}

/// <summary>The statements of a call, run as its CallMode says.</summary>
internal static class CallModeExtensions
{
    public static async ValueTask<int> ExecuteNonQueryAsync(this DbCommand command, CallMode mode) =>
        mode.IsAsync ? await command.ExecuteNonQueryAsync(mode.Cancellation) : command.ExecuteNonQuery();

    public static async ValueTask<int> ExecuteNonQueryAsync(this DbBatch batch, CallMode mode) =>
        mode.IsAsync ? await batch.ExecuteNonQueryAsync(mode.Cancellation) : batch.ExecuteNonQuery();

    public static async ValueTask<object?> ExecuteScalarAsync(this DbCommand command, CallMode mode) =>
        mode.IsAsync ? await command.ExecuteScalarAsync(mode.Cancellation) : command.ExecuteScalar();

    /// <summary>
    /// Every row [command] returns, each made into a value by [row] (which reads the columns of the
    /// current row, typed as the provider's reader: SqliteDataReader or NpgsqlDataReader). The reader
    /// is read and closed in [mode]: Npgsql's reader may still talk to the server when it closes.
    /// </summary>
    public static async ValueTask<List<T>> ReadAllAsync<TReader, T>(this DbCommand command, CallMode mode, Func<TReader, T> row)
        where TReader : DbDataReader
    {
        var reader = (TReader)(mode.IsAsync ? await command.ExecuteReaderAsync(mode.Cancellation) : command.ExecuteReader());
        try
        {
            var rows = new List<T>();
            while (mode.IsAsync ? await reader.ReadAsync(mode.Cancellation) : reader.Read()) rows.Add(row(reader));
            return rows;
        }
        finally
        {
            if (mode.IsAsync) await reader.DisposeAsync();
            else reader.Dispose();
        }
    }

    /// <summary>The first row [command] returns, made into a value by [row]; default when it returns none.</summary>
    public static async ValueTask<T?> ReadFirstAsync<TReader, T>(this DbCommand command, CallMode mode, Func<TReader, T> row)
        where TReader : DbDataReader =>
        (await command.ReadAllAsync(mode, row)).FirstOrDefault();

    /// <summary>
    /// The result of a call made in CallMode.Sync, which has completed by the time it returns (no
    /// thread ever blocks on it here). A call that had not is a bug: it is reported, not waited for.
    /// </summary>
    public static T SyncResult<T>(this ValueTask<T> call) =>
        call.IsCompleted ? call.GetAwaiter().GetResult() : throw new InvalidOperationException("a store call made in CallMode.Sync did not complete synchronously");

    /// <summary>SyncResult for a call with no result.</summary>
    public static void SyncResult(this ValueTask call)
    {
        if (!call.IsCompleted) throw new InvalidOperationException("a store call made in CallMode.Sync did not complete synchronously");
        call.GetAwaiter().GetResult();
    }
}
