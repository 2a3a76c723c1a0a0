namespace Workflow.Persistence;

/// <summary>How a SQLite workflow store opens its file.</summary>
internal sealed class SqliteStoreOptions
{
    /// <summary>
    /// PRAGMA synchronous: FULL makes every committed transaction survive a power cut; NORMAL (in WAL
    /// mode) keeps the database consistent but may lose the last transactions on a power cut, for
    /// fewer fsyncs. The default value is Full.
    /// </summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>
    /// How long a statement waits for another connection's write lock (Quartz writes the same file)
    /// before failing with "database is locked". The default value is 30 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for the times the store stamps itself (created, updated, arrived). The default value is TimeProvider.System.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>
    /// PRAGMA statements every connection of the store runs after the store's own. For tests, which
    /// give a database real faults with them: full (max_page_count) or read-only (query_only). The
    /// default value is null: none.
    /// </summary>
    internal string? ExtraPragmas { get; set; }

    /// <summary>
    /// Whether commits write the journal (a row per committed turn, with its pickle). Exists only for
    /// the benchmark that measures what the journal costs (`--only journal`): without it an instance
    /// has no history, and nothing that reads one (history, rewind, fork) works. The default value is true.
    /// </summary>
    internal bool WriteJournal { get; set; } = true;

    /// <summary>
    /// Whether the journal's entries keep the pickle their turn committed (false: the entry is written
    /// with no pickle and PickleBytes 0). Exists only for the same benchmark, to tell what the pickle's
    /// second copy costs from what the entry costs. The default value is true.
    /// </summary>
    internal bool JournalPickles { get; set; } = true;
}

/// <summary>The values of SQLite's PRAGMA synchronous a workflow store allows.</summary>
internal enum SqliteSynchronous { Full, Normal }
