using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// The opaque cursor of ListInstances: the last row's creation time and id, base64url-encoded, so
/// the next page starts strictly after it even while new instances are being created.
/// </summary>
internal static class InstanceCursor
{
    public static string Encode(long createdAt, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{createdAt.ToString(CultureInfo.InvariantCulture)}:{id}"));

    /// <summary>
    /// The page made of [rows], read with a LIMIT of [limit] + 1 (each instance with its CreatedAt): a
    /// row beyond [limit] means there is a next page, which starts after the last row kept.
    /// </summary>
    public static InstancePage Page(List<(InstanceView Instance, long CreatedAt)> rows, int limit)
    {
        if (rows.Count <= limit) return new InstancePage(rows.ConvertAll(r => r.Instance), null);
        var last = rows[limit - 1];
        return new InstancePage(rows.GetRange(0, limit).ConvertAll(r => r.Instance), Encode(last.CreatedAt, last.Instance.Id));
    }

    public static (long CreatedAt, string Id) Decode(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var colon = text.IndexOf(':');
            if (colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var createdAt))
                return (createdAt, text[(colon + 1)..]);
        }
        catch (FormatException)
        {
        }
        throw new ArgumentException($"'{cursor}' is not a cursor from a previous page of instances", nameof(cursor));
    }
}
