namespace Workflow.Compiler;

/// <summary>
/// The kinds of resume site. A site's identity in a pickle is its kind and its ordinal among the
/// function's sites of that kind (`call#2`; a pickle writes `call#0` as `call`, Pickling.SiteNames), so making another opcode a safe point (a new kind)
/// moves no existing site. OpCodeTable says which opcodes are safe points of which kind.
/// </summary>
internal enum SiteKind : byte
{
    None,
    /// <summary>Call, CallKw, CallEx, CallMethod: one kind, so choosing another call instruction for the same call moves nothing.</summary>
    Call,
    Await,
    Yield,
    /// <summary>A loop's back-edge, where a tasklet may be preempted; it goes on at the loop's head.</summary>
    LoopBack,
    /// <summary>A `for` loop's step (ForIter): the iterator may be a generator or a channel.</summary>
    ForStep,
    YieldFrom,
    ClassBody,
    Import,
    Materialize,
    Contains,
    Iter,
    Binary,
    Compare,
    Subscript,
    /// <summary>CloseIterator: a generator closed as its loop ends early may block in its finally.</summary>
    Close,
    /// <summary>`-x`, `+x`, `~x`, `not x` on an instance: its __neg__, __bool__… run as frames.</summary>
    Unary,
    /// <summary>FormatValue: a user __format__, __str__ or __repr__ in an f-string.</summary>
    Format,
    /// <summary>BuildDict: a dict display whose keys have a user __hash__ or __eq__.</summary>
    DictDisplay,
    /// <summary>
    /// A truth test (PopJumpIf…, Jump…OrPop) of an instance with __bool__ or __len__: the instruction
    /// pushes a prelude frame and runs again on its answer, so the site is the instruction itself,
    /// with the stack it had (SiteKinds.ResumesAtItself).
    /// </summary>
    Truth,
    /// <summary>StoreSubscr, DictSet: an item stored by __setitem__ or under a user-hashed key; the instruction runs again (as Truth).</summary>
    StoreItem,
    /// <summary>DeleteSubscr: __delitem__ or a user-hashed key; the instruction runs again (as Truth).</summary>
    DeleteItem,
    /// <summary>
    /// RaiseVarargs of an exception class whose __init__ is script: the prelude's _raise_new makes
    /// and raises the exception as a frame. The site is the instruction itself (as Truth); the
    /// frame never returns to it.
    /// </summary>
    Raise,
}

/// <summary>
/// What the pickle format says about each site kind: the name it is written by (never change one:
/// stored pickles hold it) and whether format 1 counted it. Format 1 named a site by its ordinal
/// among all safe points of the function; those were the kinds marked here, so a format-1 ordinal
/// still finds its site when later kinds exist. A new kind is added with InFormat1 false.
/// </summary>
internal static class SiteKinds
{
    private static readonly (SiteKind Kind, string Name, bool InFormat1)[] Rows =
    {
        (SiteKind.Call,        "call",        true),
        (SiteKind.Await,       "await",       true),
        (SiteKind.Yield,       "yield",       true),
        (SiteKind.LoopBack,    "loop",        true),
        (SiteKind.ForStep,     "for",         true),
        (SiteKind.YieldFrom,   "yield_from",  true),
        (SiteKind.ClassBody,   "class",       true),
        (SiteKind.Import,      "import",      true),
        (SiteKind.Materialize, "materialize", true),
        (SiteKind.Contains,    "in",          true),
        (SiteKind.Iter,        "iter",        true),
        (SiteKind.Binary,      "binary",      true),
        (SiteKind.Compare,     "compare",     true),
        (SiteKind.Subscript,   "subscript",   true),
        (SiteKind.Close,       "close",       false),
        (SiteKind.Unary,       "unary",       false),
        (SiteKind.Format,      "format",      false),
        (SiteKind.DictDisplay, "dict_display", false),
        (SiteKind.Truth,       "truth",       false),
        (SiteKind.StoreItem,   "store_item",  false),
        (SiteKind.DeleteItem,  "delete_item", false),
        (SiteKind.Raise,       "raise",       false),
    };

    public static IEnumerable<SiteKind> All => Rows.Select(r => r.Kind);

    /// <summary>The name [kind] is written by in pickles and shown by `wf dis`.</summary>
    public static string Name(SiteKind kind)
    {
        foreach (var row in Rows)
            if (row.Kind == kind) return row.Name;
        throw new InvalidOperationException($"site kind {kind} has no name");
    }

    /// <summary>The kind written as [name], or None.</summary>
    public static SiteKind Parse(string name)
    {
        foreach (var row in Rows)
            if (row.Name == name) return row.Kind;
        return SiteKind.None;
    }

    /// <summary>
    /// Whether a site of [kind] is the instruction itself, with the stack it had before it, rather
    /// than the place after it: the instruction pushes a prelude frame for a user method and runs
    /// again on its answer (it pushes no single result the frame's return could stand for).
    /// </summary>
    public static bool ResumesAtItself(SiteKind kind) => kind is SiteKind.Truth or SiteKind.StoreItem or SiteKind.DeleteItem or SiteKind.Raise;

    /// <summary>Whether format 1's site ordinals counted sites of [kind].</summary>
    public static bool InFormat1(SiteKind kind)
    {
        foreach (var row in Rows)
            if (row.Kind == kind) return row.InFormat1;
        return false;
    }
}
