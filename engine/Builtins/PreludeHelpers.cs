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
    /// <remarks>
    /// They are reachable by name from any script (and a pickle can hand them anything through a
    /// prelude frame's variables), so each checks its arguments: a wrong one is a TypeError, never a
    /// cast exception that would take the worker down.
    /// </remarks>
    private static void AddPreludeHelpers()
    {
        Add("__may_run_script", (a, k) => { Arguments.Count("__may_run_script", a, 1, 1); return Boxes.Bool(Prelude.MayRunScript(a[0])); });
        Add("__sort_by_keys", (a, k) =>
        {
            Arguments.Count("__sort_by_keys", a, 3, 3);
            return SortByKeys(Helper<PyList>(a, 0, "__sort_by_keys"), a[1], Ops.Truthy(a[2]));
        });
        Add("__zip_any_left", (a, k) =>
        {
            Arguments.Count("__zip_any_left", a, 1, 1);
            // The prelude passes a slice of its tuple of iterators.
            var iterators = a[0] switch
            {
                PyTuple t => (IReadOnlyList<object>)t.Items,
                PyList l => l.Items,
                _ => throw Errors.TypeError("__zip_any_left() needs a tuple of iterators"),
            };
            return Boxes.Bool(iterators.Any(it => Vm.Next(it, out _)));
        });
        Add("__user_method", (a, k) =>
        {
            Arguments.Count("__user_method", a, 2, 2);
            return a[0] is PyInstance inst && Ops.FindUserMethod(inst, Helper<string>(a, 1, "__user_method"), out var method) ? Ops.Bind(inst, method) : PyNone.Value;
        });
        Add("__binary_dunders", (a, k) => Ops.BinaryDunders(Operator(a, 0, "__binary_dunders")));
        Add("__binary_native", (a, k) =>
        {
            Arguments.Count("__binary_native", a, 4, 4);
            return Ops.Binary(Operator(a, 2, "__binary_native"), a[0], a[1], Ops.Truthy(a[3]), userMethods: false);
        });
        Add("__compare_dunders", (a, k) => Ops.CompareDunderNames(Comparison(a, 0, "__compare_dunders")));
        Add("__compare_native", (a, k) =>
        {
            Arguments.Count("__compare_native", a, 3, 3);
            return Ops.CompareWithoutUserMethods(Comparison(a, 2, "__compare_native"), a[0], a[1]);
        });
        Add("__checked_len", (a, k) =>
        {
            Arguments.Count("__checked_len", a, 1, 1);
            if (a[0] is not long n) throw Errors.TypeError($"'{Ops.TypeName(a[0])}' object cannot be interpreted as an integer");
            if (n < 0) throw Errors.ValueError("__len__() should return >= 0");
            return a[0];
        });
        Add("__checked_str", (a, k) =>
        {
            Arguments.Count("__checked_str", a, 2, 2);
            return a[0] as string ?? throw Errors.TypeError($"{a[1]} returned non-string (type {Ops.TypeName(a[0])})");
        });
        Add("__list_take", (a, k) =>
        {
            Arguments.Count("__list_take", a, 1, 1);
            var list = Helper<PyList>(a, 0, "__list_take");
            var saved = new PyList(new List<object>(list.Items));
            list.Items.Clear();
            return saved;
        });
        Add("__list_put_back", (a, k) =>
        {
            Arguments.Count("__list_put_back", a, 3, 3);
            var list = Helper<PyList>(a, 0, "__list_put_back");
            var saved = Helper<PyList>(a, 1, "__list_put_back");
            bool modified = list.Items.Count != 0;
            list.Items.Clear();
            list.Items.AddRange(saved.Items);
            if (modified && Ops.Truthy(a[2])) throw Errors.ValueError("list modified during sort");
            return PyNone.Value;
        });
    }

    private static T Helper<T>(object[] args, int index, string helper) where T : class =>
        index < args.Length && args[index] is T value ? value : throw Errors.TypeError($"{helper}() got a wrong argument {index + 1}");

    private static BinaryOperator Operator(object[] args, int index, string helper) =>
        index < args.Length && args[index] is long op && op >= 0 && op <= (long)BinaryOperator.MatMult ? (BinaryOperator)op
            : throw Errors.TypeError($"{helper}() needs an operator number");

    private static int Comparison(object[] args, int index, string helper) =>
        index < args.Length && args[index] is long op && op >= 0 && op <= 5 ? (int)op : throw Errors.TypeError($"{helper}() needs a comparison number");
}
