using Microsoft.Data.Sqlite;

namespace Workflow.Persistence;

/// <summary>
/// One open connection of a store, with its prepared commands: a store keeps idle sessions in a pool,
/// so each statement is compiled once per connection, not once per call.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new();
    private SqliteTransaction? _transaction;

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    /// <summary>Opens a connection to [connectionString] and runs [pragmas] on it, as [mode] says.</summary>
    public static async ValueTask<SqliteSession> Open(string connectionString, string pragmas, CallMode mode)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            if (mode.IsAsync) await connection.OpenAsync(mode.Cancellation);
            else connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            await command.ExecuteNonQueryAsync(mode);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new SqliteSession(connection);
    }

    public SqliteConnection Connection { get; }

    /// <summary>Starts the call's transaction: IMMEDIATE for one that writes, so it takes the write lock (waiting for it) before reading anything it could then not upgrade.</summary>
    public void Begin(bool writes) => _transaction = Connection.BeginTransaction(deferred: !writes);

    public void Commit()
    {
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
    }

    /// <summary>The prepared command for [sql], its parameters cleared, in the current transaction.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        command.Transaction = _transaction;
        return command;
    }

    public void Dispose()
    {
        _transaction?.Dispose();
        foreach (var command in _commands.Values) command.Dispose();
        Connection.Dispose();
    }
}

/// <summary>Binding shorthands: null becomes SQL NULL.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static string? NullableString(this SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    public static long? NullableInt64(this SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
}
