namespace Workflow.Hosting.Api;

/// <summary>Names the API reads from a path segment (<c>/api/instances/{id}/signals/{name}</c>).</summary>
internal static class PathNames
{
    /// <summary>
    /// The name a client wrote in a path segment. Kestrel decodes every percent escape in a path but
    /// %2F, which it leaves as it is so that it is not taken for a separator: a client that encodes a
    /// '/' means one, and NameRules should see it (and refuse it, in a signal name) rather than
    /// take the name "a%2Fb".
    /// </summary>
    public static string Decoded(string segment) => segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
