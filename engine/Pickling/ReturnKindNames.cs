using Workflow.Runtime;

namespace Workflow.Pickling;

/// <summary>
/// How a frame's "return" names what its caller does with its result (left out for a plain call).
/// Stored pickles hold these names: never change one. A frame run by a nested C# call has none: it
/// is never at a safe point.
/// </summary>
internal static class ReturnKindNames
{
    private static readonly (ReturnKind Kind, string Name)[] Rows =
    {
        (ReturnKind.Call, "call"),
        (ReturnKind.Init, "init"),
        (ReturnKind.ClassBody, "class_body"),
        (ReturnKind.Import, "import"),
        (ReturnKind.ForIter, "for_iter"),
        (ReturnKind.YieldFrom, "yield_from"),
        (ReturnKind.Next, "next"),
        (ReturnKind.ForIterNext, "for_iter_next"),
        (ReturnKind.Close, "close"),
    };

    public static string Name(ReturnKind kind)
    {
        foreach (var row in Rows)
            if (row.Kind == kind) return row.Name;
        throw new PickleException("", $"a frame run by a nested C# call ({kind}) cannot be pickled: this is a bug in the engine");
    }

    /// <summary>The kind [name] names, or null.</summary>
    public static ReturnKind? Parse(string name)
    {
        foreach (var row in Rows)
            if (row.Name == name) return row.Kind;
        return null;
    }
}
