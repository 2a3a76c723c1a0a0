namespace Workflow.Syntax;

/// <summary>
/// The height of an expression node from the heights of its operands (see Expr.Height): one level
/// above the highest of them, a missing operand counting as a leaf. Each overload matches the
/// operands of some kinds of node, so that building a node costs no allocation.
/// </summary>
internal static class Levels
{
    public static int Above(Expr? a, Expr? b = null, Expr? c = null) => 1 + Math.Max(Of(a), Math.Max(Of(b), Of(c)));

    public static int Above(List<Expr> operands, Expr? also = null) => 1 + Math.Max(Highest(operands), Of(also));

    public static int Above(List<Expr?> keys, List<Expr> values)
    {
        int height = Highest(values);
        foreach (var key in keys) height = Math.Max(height, Of(key));
        return 1 + height;
    }

    public static int Above(Expr function, List<Expr> args, List<Keyword> keywords)
    {
        int height = Math.Max(function.Height, Highest(args));
        foreach (var keyword in keywords) height = Math.Max(height, keyword.Value.Height);
        return 1 + height;
    }

    /// <summary>A lambda: its body and its parameters' defaults.</summary>
    public static int Above(Arguments args, Expr body)
    {
        int height = body.Height;
        foreach (var p in args.Positional) height = Math.Max(height, Of(p.Default));
        foreach (var p in args.KwOnly) height = Math.Max(height, Of(p.Default));
        return 1 + height;
    }

    /// <summary>A comprehension: its element (or key and value) and each clause's target, iterable and conditions.</summary>
    public static int Above(List<Comprehension> generators, Expr element, Expr? value = null)
    {
        int height = Math.Max(element.Height, Of(value));
        foreach (var g in generators)
            height = Math.Max(height, Math.Max(Math.Max(g.Target.Height, g.Iter.Height), Highest(g.Ifs)));
        return 1 + height;
    }

    private static int Highest(List<Expr> operands)
    {
        int height = 0;
        foreach (var e in operands) height = Math.Max(height, e.Height);
        return height;
    }

    private static int Of(Expr? e) => e?.Height ?? 0;
}
