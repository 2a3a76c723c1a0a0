using Microsoft.Data.Sqlite;
using Npgsql;

namespace Workflow.Persistence;

/// <summary>What kind of storage fault an error is: what a client can do about it, not what went wrong inside.</summary>
internal enum StorageFault
{
    /// <summary>Not a storage fault: a bug, or a request the database refused (a constraint). Retrying does not help.</summary>
    None,

    /// <summary>
    /// The database cannot carry out the call now: busy or locked past the busy timeout, read-only,
    /// unreachable, shutting down or starting, short of connections or memory, damaged. Retrying
    /// later may work once an operator or the database itself has set it right.
    /// </summary>
    Unavailable,

    /// <summary>The database or its disk has no room for the write; retrying works once room is made.</summary>
    Full,
}

/// <summary>
/// Tells storage faults from other errors, for both stores, in one place: the REST API answers them
/// with 503 and a code clients can switch on, instead of a 500 that reads as a bug. It looks at the
/// provider's exception wherever it is in the chain of inner exceptions (EF Core and the hosting
/// wrap them).
/// </summary>
internal static class StorageFaults
{
    /// <summary>The fault [error] is, or None when neither it nor an exception inside it is a storage fault.</summary>
    public static StorageFault Classify(Exception error)
    {
        for (Exception? e = error; e != null; e = e.InnerException)
        {
            var fault = Own(e);
            if (fault != StorageFault.None) return fault;
        }
        return StorageFault.None;
    }

    private static StorageFault Own(Exception e) => e switch
    {
        SqliteException sqlite => Sqlite(sqlite.SqliteErrorCode),
        PostgresException postgres => Postgres(postgres.SqlState),
        // A misuse of a connection by this process, not a fault of the server.
        NpgsqlOperationInProgressException => StorageFault.None,
        // Npgsql's own errors, without an answer from the server: the network, a broken connection, the pool's timeout.
        NpgsqlException => StorageFault.Unavailable,
        // A pool or a command that timed out (Npgsql wraps its own, but one may come bare).
        TimeoutException => StorageFault.Unavailable,
        _ => StorageFault.None,
    };

    /// <summary>By SQLite's primary result code (the low byte of an extended one).</summary>
    private static StorageFault Sqlite(int code) => (code & 0xFF) switch
    {
        13 => StorageFault.Full, // SQLITE_FULL: the disk, or max_page_count
        5 // SQLITE_BUSY: another connection held the write lock past the busy timeout
            or 6 // SQLITE_LOCKED
            or 8 // SQLITE_READONLY: the file or its folder may not be written
            or 10 // SQLITE_IOERR
            or 11 // SQLITE_CORRUPT
            or 14 // SQLITE_CANTOPEN: the file or its -wal/-shm cannot be opened (gone, no permission)
            or 26 // SQLITE_NOTADB
            => StorageFault.Unavailable,
        _ => StorageFault.None,
    };

    /// <summary>By SQLSTATE (PostgreSQL's error codes, appendix A of its manual).</summary>
    private static StorageFault Postgres(string state) => state switch
    {
        "53100" => StorageFault.Full, // disk_full
        _ when state.StartsWith("53", StringComparison.Ordinal) => StorageFault.Unavailable, // insufficient resources: memory, connections
        _ when state.StartsWith("08", StringComparison.Ordinal) => StorageFault.Unavailable, // connection exceptions
        "57P01" or "57P02" or "57P03" => StorageFault.Unavailable, // admin_shutdown, crash_shutdown, cannot_connect_now
        "25006" => StorageFault.Unavailable, // read_only_sql_transaction: a standby, say after a failover
        _ => StorageFault.None,
    };
}
