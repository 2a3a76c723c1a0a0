namespace Workflow.Compiler;

/// <summary>
/// Gives the resume sites of one function their identities as they are found in instruction
/// order: the ordinal among sites of the same kind, and format 1's ordinal among sites of the
/// kinds it knew (-1 for a later kind).
/// </summary>
internal sealed class SiteNumbering
{
    private readonly Dictionary<SiteKind, int> _perKind = new();
    private int _format1;

    public (int Ordinal, int Format1Ordinal) Next(SiteKind kind)
    {
        int ordinal = _perKind.GetValueOrDefault(kind);
        _perKind[kind] = ordinal + 1;
        return (ordinal, SiteKinds.InFormat1(kind) ? _format1++ : -1);
    }
}
