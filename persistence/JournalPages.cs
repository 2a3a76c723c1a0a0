using Workflow.Durable;

namespace Workflow.Persistence;

internal static class JournalPages
{
    /// <summary>The page of [rows], read with one row past [limit] to learn whether another page follows.</summary>
    public static JournalPage Of(List<JournalRow> rows, int limit)
    {
        if (rows.Count <= limit) return new JournalPage(rows, null);
        rows.RemoveRange(limit, rows.Count - limit);
        return new JournalPage(rows, rows[^1].Turn);
    }
}
