namespace Workflow.Values;

/// <summary>str() of an exception, by CPython's rules (BaseException.__str__ and KeyError.__str__).</summary>
internal static class ExceptionText
{
    public static string Str(PyException e)
    {
        using var level = ValueNesting.Enter("while getting the str of an object");
        var args = e.Args.Items;
        if (args.Length == 0) return "";
        if (args.Length == 1)
            return e.Class.IsSubclassOf(ExceptionTypes.KeyError) ? Ops.Repr(args[0]) : Ops.Str(args[0]);
        return Ops.Repr(e.Args);
    }
}
