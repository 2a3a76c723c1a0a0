using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Workflow.Persistence;

/// <summary>
/// The opaque cursor of ListInstances: the last row's creation time and id, base64url-encoded, so
/// the next page starts strictly after it even while new instances are being created.
/// </summary>
internal static class InstanceCursor
{
    public static string Encode(long createdAt, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{createdAt.ToString(CultureInfo.InvariantCulture)}:{id}"));

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
