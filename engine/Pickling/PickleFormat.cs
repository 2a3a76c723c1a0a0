namespace Workflow.Pickling;

/// <summary>
/// The pickle's format version. A pickle names functions by module and qualified name, resume
/// sites by their ordinal in the function, variables by name, and built-ins by their script names;
/// bump the version when any of those conventions (or the JSON layout) changes, and keep reading
/// the old one: golden pickles (tests/Workflow.Engine.Tests/Pickling/Golden/*.v1.json) hold us to it.
/// </summary>
public static class PickleFormat
{
    public const int Version = 1;
}
