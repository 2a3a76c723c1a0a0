using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Workflow.Persistence;

/// <summary>
/// One call's connection and transaction on a PostgreSQL store. Commands are made per call and
/// disposed with the session; the data source's automatic preparation keeps the server-side plans
/// of the hot statements on each pooled connection, so they are parsed once per connection.
/// </summary>
internal sealed class PostgresSession : IDisposable
{
    private readonly List<NpgsqlCommand> _commands = new();

    private PostgresSession(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>Opens a pooled connection of [dataSource] and begins a transaction at [isolation] on it.</summary>
    public static PostgresSession Begin(NpgsqlDataSource dataSource, IsolationLevel isolation)
    {
        var connection = dataSource.OpenConnection();
        try
        {
            return new PostgresSession(connection, connection.BeginTransaction(isolation));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Commit() => Transaction.Commit();

    /// <summary>A command for [sql] in the session's transaction; parameters are bound with the With overloads.</summary>
    public NpgsqlCommand Command(string sql)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        _commands.Add(command);
        return command;
    }

    /// <summary>Rolls back what was not committed and returns the connection to the pool.</summary>
    public void Dispose()
    {
        foreach (var command in _commands) command.Dispose();
        Transaction.Dispose();
        Connection.Dispose();
    }
}

/// <summary>
/// Binding shorthands with the PostgreSQL type named, so that a NULL has a type too: an untyped
/// NULL parameter in a CASE or a comparison makes the server fail with "could not determine data type".
/// </summary>
internal static class NpgsqlCommandExtensions
{
    public static NpgsqlCommand With(this NpgsqlCommand command, string name, string? value) => Bind(command, name, NpgsqlDbType.Text, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, long value) => Bind(command, name, NpgsqlDbType.Bigint, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, int value) => Bind(command, name, NpgsqlDbType.Integer, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, int? value) => Bind(command, name, NpgsqlDbType.Integer, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, double? value) => Bind(command, name, NpgsqlDbType.Double, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, bool value) => Bind(command, name, NpgsqlDbType.Boolean, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, byte[]? value) => Bind(command, name, NpgsqlDbType.Bytea, value);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, string[] values) =>
        Bind(command, name, NpgsqlDbType.Array | NpgsqlDbType.Text, values);

    private static NpgsqlCommand Bind(NpgsqlCommand command, string name, NpgsqlDbType type, object? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        return command;
    }

    public static string? NullableString(this NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    public static long? NullableInt64(this NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
}
