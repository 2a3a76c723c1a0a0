namespace Workflow.Pickling;

/// <summary>
/// The pickle's format version. A pickle names functions by module and qualified name, resume
/// sites as below, variables by name, and built-ins by their script names; bump the version when
/// any of those conventions (or the JSON layout) changes, and keep reading the old one: golden
/// pickles (tests/Workflow.Engine.Tests/Pickling/Golden/*.vN.json) hold us to it.
/// </summary>
/// <remarks>
/// How a frame's "site" names its resume site (or is "entry" for a frame not yet started):
/// <list type="bullet">
/// <item>Format 2: "kind#n", the n-th (from 0) site of that kind in the function, in instruction
/// order, e.g. "call#2", "loop#1"; "#0" is left out at its default ("call" is "call#0", and the
/// reader takes either spelling: SiteNames). The kinds and their names are Compiler.SiteKinds; several
/// opcodes share one kind (every call instruction is "call"). Making another opcode a safe point
/// adds a kind and moves no site of the other kinds, so it needs no new version; renaming a kind,
/// moving an opcode to another kind, or changing the number or order of one kind's sites in a
/// function does.</item>
/// <item>Format 1: a number, the site's ordinal among all safe points of the function of the kinds
/// format 1 had (SiteKinds marks them), read through ResumeSite.Format1Ordinal.</item>
/// </list>
/// </remarks>
public static class PickleFormat
{
    /// <summary>The version this engine writes.</summary>
    public const int Version = 2;

    /// <summary>The oldest version this engine still reads.</summary>
    public const int OldestReadable = 1;
}
