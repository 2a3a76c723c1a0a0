using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values;

namespace Workflow.Builtins;

internal static partial class BuiltinFunctions
{
    /// <summary>
    /// The C# halves of prelude functions (Prelude.wf): named with a leading `__`, they do the parts
    /// that never call script code, so the prelude's calls of user methods stay ordinary frames.
    /// </summary>
    private static void AddPreludeHelpers()
    {
        Add("__user_method", (a, k) =>
            a[0] is PyInstance inst && Ops.FindUserMethod(inst, (string)a[1], out var method) ? Ops.Bind(inst, method) : PyNone.Value);
        Add("__binary_dunders", (a, k) => Ops.BinaryDunders((BinaryOperator)(long)a[0]));
        Add("__binary_native", (a, k) => Ops.Binary((BinaryOperator)(long)a[2], a[0], a[1], Ops.Truthy(a[3]), userMethods: false));
        Add("__compare_dunders", (a, k) => Ops.CompareDunderNames((int)(long)a[0]));
        Add("__compare_native", (a, k) => Ops.CompareWithoutUserMethods((int)(long)a[2], a[0], a[1]));
        Add("__checked_len", (a, k) =>
        {
            if (a[0] is not long n) throw Errors.TypeError($"'{Ops.TypeName(a[0])}' object cannot be interpreted as an integer");
            if (n < 0) throw Errors.ValueError("__len__() should return >= 0");
            return a[0];
        });
        Add("__checked_str", (a, k) => a[0] as string ?? throw Errors.TypeError($"{a[1]} returned non-string (type {Ops.TypeName(a[0])})"));
        Add("__list_take", (a, k) =>
        {
            var list = (PyList)a[0];
            var saved = new PyList(new List<object>(list.Items));
            list.Items.Clear();
            return saved;
        });
        Add("__list_put_back", (a, k) =>
        {
            var list = (PyList)a[0];
            bool modified = list.Items.Count != 0;
            list.Items.Clear();
            list.Items.AddRange(((PyList)a[1]).Items);
            if (modified && Ops.Truthy(a[2])) throw Errors.ValueError("list modified during sort");
            return PyNone.Value;
        });
    }
}
