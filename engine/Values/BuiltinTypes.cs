using System.Numerics;
using Workflow.Runtime;
using Workflow.Values.Text;

namespace Workflow.Values;

/// <summary>
/// The classes of the built-in value kinds, so that type(x).__name__, isinstance and method lookup
/// work the same for 3, "s", [1] and instances of user classes. Constructors and method tables are
/// attached by the Builtins folder.
/// </summary>
internal static class BuiltinTypes
{
    public static readonly PyClass Object = new("object", null);
    public static readonly PyClass Type = new("type", Object);
    public static readonly PyClass NoneType = new("NoneType", Object);
    public static readonly PyClass Int = new("int", Object);
    public static readonly PyClass Bool = new("bool", Int);
    public static readonly PyClass Float = new("float", Object);
    public static readonly PyClass Str = new("str", Object) { NativeMethods = StrMethods.Table };
    public static readonly PyClass List = new("list", Object);
    public static readonly PyClass Tuple = new("tuple", Object);
    public static readonly PyClass Dict = new("dict", Object);
    public static readonly PyClass Range = new("range", Object);
    public static readonly PyClass Slice = new("slice", Object);
    public static readonly PyClass Function = new("function", Object);
    public static readonly PyClass BuiltinFunction = new("builtin_function_or_method", Object);
    public static readonly PyClass Method = new("method", Object);
    public static readonly PyClass Generator = new("generator", Object);
    public static readonly PyClass Module = new("module", Object);
    public static readonly PyClass Iterator = new("iterator", Object);
    public static readonly PyClass DictView = new("dict_view", Object);
    public static readonly PyClass Channel = new("channel", Object);
    public static readonly PyClass Tasklet = new("tasklet", Object);
    public static readonly PyClass Future = new("future", Object);
    public static readonly PyClass Cell = new("cell", Object);
    public static readonly PyClass Super = new("super", Object);

    /// <summary>
    /// The classes of the iterator kinds (and dict views), under the names CPython gives them, so
    /// that type(map(f, xs)).__name__ is 'map' whichever implementation (a C# iterator or a prelude
    /// generator) stands behind the value. A kind missing here reports the generic 'iterator'.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, PyClass> IteratorTypes = new[]
    {
        "list_iterator", "list_reverseiterator", "tuple_iterator", "str_iterator", "str_ascii_iterator",
        "range_iterator", "longrange_iterator", "dict_keyiterator", "dict_valueiterator", "dict_itemiterator",
        "dict_reversekeyiterator", "dict_reversevalueiterator", "dict_reverseitemiterator", "reversed",
        "map", "filter", "zip", "enumerate", "callable_iterator", "dict_keys", "dict_values", "dict_items",
    }.ToDictionary(name => name, name => new PyClass(name, Object));

    public static PyClass IteratorType(string name) => IteratorTypes.TryGetValue(name, out var type) ? type : Iterator;

    /// <summary>type(v).</summary>
    public static PyClass TypeOf(object v) => v switch
    {
        // The most common kinds first: this runs on every method call on a built-in value.
        string => Str,
        PyList => List,
        long or BigInteger => Int,
        PyDict => Dict,
        PyInstance i => i.Class,
        double => Float,
        bool => Bool,
        PyTuple => Tuple,
        PyNone => NoneType,
        PyRange => Range,
        PySlice => Slice,
        PyClass => Type,
        PyFunction => Function,
        Runtime.BuiltinFunction or BoundNativeMethod => BuiltinFunction,
        BoundMethod => Method,
        PyGenerator g => g.BuiltinTypeName is { } name ? IteratorType(name) : Generator,
        PyIterator it => IteratorType(it.TypeName),
        PyModule => Module,
        Values.DictView view => IteratorType(view.TypeName),
        PyChannel => Channel,
        Runtime.Tasklet => Tasklet,
        PyFuture => Future,
        PySuper => Super,
        _ => Iterator,
    };
}
