using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Workflow.Persistence;

/// <summary>
/// One call's connection and transaction on a PostgreSQL store. Commands are made per call and
/// disposed with the session; the data source's automatic preparation keeps the server-side plans
/// of the hot statements on each pooled connection, so they are parsed once per connection. The
/// session talks to the server as its CallMode says (Mode): an Async session awaits every round trip.
/// </summary>
/// <remarks>
/// Statements whose results are not read at once are queued (Queue) and sent together, in one
/// round trip, when the session next runs a Command, at Flush, or at Commit. A group commit of 100
/// turns is some 400 statements: sent one by one, the round trips (each a wake-up of the server
/// process and of this one) cost more than the statements, and several workers made it slower.
/// </remarks>
internal sealed class PostgresSession
{
    private readonly List<NpgsqlCommand> _commands = new();
    private NpgsqlBatch? _queued;

    private PostgresSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CallMode mode)
    {
        Connection = connection;
        Transaction = transaction;
        Mode = mode;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public CallMode Mode { get; }

    /// <summary>Opens a pooled connection of [dataSource] and begins a transaction at [isolation] on it, as [mode] says.</summary>
    public static async ValueTask<PostgresSession> Begin(NpgsqlDataSource dataSource, IsolationLevel isolation, CallMode mode)
    {
        var connection = mode.IsAsync ? await dataSource.OpenConnectionAsync(mode.Cancellation) : dataSource.OpenConnection();
        try
        {
            var transaction = mode.IsAsync ? await connection.BeginTransactionAsync(isolation, mode.Cancellation) : connection.BeginTransaction(isolation);
            return new PostgresSession(connection, transaction, mode);
        }
        catch
        {
            if (mode.IsAsync) await connection.DisposeAsync();
            else connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends what is queued and commits. The commit itself is not cancelled: once it is on its way, a
    /// cancelled call must not leave its caller unsure whether it was written.
    /// </summary>
    public async ValueTask Commit()
    {
        await FlushAsync();
        if (Mode.IsAsync) await Transaction.CommitAsync(CancellationToken.None);
        else Transaction.Commit();
    }

    /// <summary>
    /// A command for [sql] in the session's transaction, to be run at once; parameters are bound with
    /// the With overloads. The queued statements are sent first, so it sees what they wrote; an Async
    /// session must have sent them (FlushAsync) already, since this would send them on the caller's thread.
    /// </summary>
    public NpgsqlCommand Command(string sql)
    {
        if (Mode.IsAsync && _queued != null)
            throw new InvalidOperationException("an Async session runs a Command only after FlushAsync has sent its queued statements");
        Flush();
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        _commands.Add(command);
        return command;
    }

    /// <summary>
    /// Queues [sql] to run after the statements queued before it; parameters are bound with the With
    /// overloads. Its RecordsAffected is known after the next Flush. An error in it surfaces there
    /// (or at the next Command or Commit) and aborts the transaction as it would have at once.
    /// </summary>
    public NpgsqlBatchCommand Queue(string sql)
    {
        _queued ??= new NpgsqlBatch(Connection, Transaction);
        var command = new NpgsqlBatchCommand(sql);
        _queued.BatchCommands.Add(command);
        return command;
    }

    /// <summary>Sends the queued statements, in order, in one round trip (a Sync session's way; both kinds may await FlushAsync).</summary>
    public void Flush() => FlushAsync().SyncResult();

    /// <summary>Sends the queued statements, in order, in one round trip, as the session's Mode says.</summary>
    public async ValueTask FlushAsync()
    {
        if (_queued == null) return;
        using var batch = _queued;
        _queued = null;
        await batch.ExecuteNonQueryAsync(Mode);
    }

    /// <summary>Rolls back what was not committed and returns the connection to the pool, as the session's Mode says.</summary>
    public async ValueTask Close()
    {
        _queued?.Dispose();
        foreach (var command in _commands) command.Dispose();
        if (Mode.IsAsync)
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        else
        {
            Transaction.Dispose();
            Connection.Dispose();
        }
    }
}

/// <summary>
/// Binding shorthands with the PostgreSQL type named, so that a NULL has a type too: an untyped
/// NULL parameter in a CASE or a comparison makes the server fail with "could not determine data type".
/// They come twice, for a command run at once (NpgsqlCommand) and a queued one (NpgsqlBatchCommand),
/// which share no type that has Parameters.
/// </summary>
internal static class NpgsqlCommandExtensions
{
    public static NpgsqlCommand With(this NpgsqlCommand command, string name, string? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Text, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, long value) => Bind(command, command.Parameters, name, NpgsqlDbType.Bigint, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, int value) => Bind(command, command.Parameters, name, NpgsqlDbType.Integer, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, double? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Double, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, bool value) => Bind(command, command.Parameters, name, NpgsqlDbType.Boolean, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, byte[]? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Bytea, value);

    /// <summary>Binds [values] as an array of [elementType] (for ANY, and for unnest: one array per column of a set-wise statement).</summary>
    public static NpgsqlCommand WithArray(this NpgsqlCommand command, string name, NpgsqlDbType elementType, Array values) =>
        Bind(command, command.Parameters, name, NpgsqlDbType.Array | elementType, values);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, string? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Text, value);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, long value) => Bind(command, command.Parameters, name, NpgsqlDbType.Bigint, value);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, int value) => Bind(command, command.Parameters, name, NpgsqlDbType.Integer, value);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, int? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Integer, value);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, double? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Double, value);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, bool value) => Bind(command, command.Parameters, name, NpgsqlDbType.Boolean, value);

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, byte[]? value) => Bind(command, command.Parameters, name, NpgsqlDbType.Bytea, value);

    /// <summary>Binds [values] as an array of [elementType] (for ANY, and for unnest: one array per column of a set-wise statement).</summary>
    public static NpgsqlBatchCommand WithArray(this NpgsqlBatchCommand command, string name, NpgsqlDbType elementType, Array values) =>
        Bind(command, command.Parameters, name, NpgsqlDbType.Array | elementType, values);

    private static T Bind<T>(T command, NpgsqlParameterCollection parameters, string name, NpgsqlDbType type, object? value)
    {
        parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        return command;
    }

    public static string? NullableString(this NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    public static long? NullableInt64(this NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
}
