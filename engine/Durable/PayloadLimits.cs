using System.Text;
using Workflow.Boundary;

namespace Workflow.Durable;

/// <summary>
/// How large one payload may be: a start input, a signal's payload, an activity's result, a workflow's
/// result, as the UTF-8 bytes of its JSON text as stored. A payload over the limit is refused before
/// anything is written, so one instance cannot fill the database, or a worker's memory, for all the others.
/// </summary>
public static class PayloadLimits
{
    /// <summary>The default limit: 2 MiB (2,097,152 bytes) of UTF-8 JSON. Hosts change it with WorkflowOptions.MaxPayloadBytes.</summary>
    public const int DefaultMaxPayloadBytes = 2 * 1024 * 1024;

    /// <summary>Throws PayloadTooLargeException, naming [what] and [limit], when [json] takes more than [limit] bytes as UTF-8.</summary>
    internal static void Check(string json, string what, int limit)
    {
        if (BytesOver(json, limit) is { } bytes) throw new PayloadTooLargeException(what, (int)bytes, limit);
    }

    /// <summary>The UTF-8 size of [json] when it is over [limit] bytes; null when it is within.</summary>
    internal static long? BytesOver(string json, long limit)
    {
        // Every char is at most 3 bytes in UTF-8 (a pair of surrogates is 4 for 2), so short text needs no count.
        if (limit <= 0 || (long)json.Length * 3 <= limit) return null;
        long bytes = Encoding.UTF8.GetByteCount(json);
        return bytes > limit ? bytes : null;
    }
}
