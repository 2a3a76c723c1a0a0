using System.Numerics;
using Workflow.Values.Numbers;
using Workflow.Values.Text;

namespace Workflow.Values;

/// <summary>
/// The generic operations on script values (repr, str, equality, hashing, truth, iteration) that
/// C# code uses. The interpreter has its own fast paths; these are the complete definitions.
/// </summary>
internal static partial class Ops
{
    public static string TypeName(object v) => v switch
    {
        PyNone => "NoneType",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        PyList => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        PyInstance i => i.Class.Name,
        PyClass => "type",
        _ => v.GetType().Name,
    };

    public static string Repr(object v) => v switch
    {
        PyNone => "None",
        bool b => b ? "True" : "False",
        long or BigInteger => IntOps.ToString(v),
        double d => NumberText.FloatRepr(d),
        string s => StrRepr.Repr(s),
        _ => ReprOther(v),
    };

    public static string Str(object v) => v is string s ? s : v is PyException e ? ExceptionText.Str(e) : Repr(v);

    public static bool Eq(object a, object b) => throw new NotImplementedException();

    /// <summary>hash(v); TypeError "unhashable type: 'list'" for mutable values.</summary>
    public static long Hash(object v) => throw new NotImplementedException();

    public static bool Truthy(object v) => throw new NotImplementedException();

    /// <summary>Iterates any iterable (list, tuple, str, dict, range, generator, iterator…).</summary>
    public static IEnumerable<object> Iterate(object iterable) => throw new NotImplementedException();

    /// <summary>format(v, spec), as f-strings and str.format use it.</summary>
    public static string Format(object v, string spec) => throw new NotImplementedException();

    private static string ReprOther(object v) => throw new NotImplementedException();
}
