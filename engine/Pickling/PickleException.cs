namespace Workflow.Pickling;

/// <summary>
/// A pickle that cannot be written or read: malformed JSON, a kind outside the closed table, a
/// reference out of range, a frame that names a function or resume site the program does not
/// have. [Path] says where inside the pickle (`heap[12].items[3]`), so a damaged instance can be
/// inspected; nothing is ever half-restored.
/// </summary>
public sealed class PickleException : Exception
{
    /// <summary>The JSON path of the offending value inside the pickle, or "" for the whole pickle.</summary>
    public string Path { get; }

    public PickleException(string path, string message, Exception? inner = null)
        : base(path.Length == 0 ? message : $"{path}: {message}", inner)
    {
        Path = path;
    }
}
