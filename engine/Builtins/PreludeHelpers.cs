using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values;
using Workflow.Values.Numbers;
using Workflow.Values.Text;

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
        Add("__reflected_first", (a, k) =>
        {
            Arguments.Count("__reflected_first", a, 4, 4);
            return Boxes.Bool(Ops.ReflectedFirst(a[0], a[1], Helper<string>(a, 2, "__reflected_first"), Ops.Truthy(a[3])));
        });
        Add("__types_differ", (a, k) =>
        {
            Arguments.Count("__types_differ", a, 2, 2);
            return Boxes.Bool(BuiltinTypes.TypeOf(a[0]) != BuiltinTypes.TypeOf(a[1]));
        });
        Add("__same_container_kind", (a, k) =>
        {
            Arguments.Count("__same_container_kind", a, 2, 2);
            return Boxes.Bool(a[0] is PyList && a[1] is PyList || a[0] is PyTuple && a[1] is PyTuple || a[0] is PyDict && a[1] is PyDict);
        });
        Add("__is_dict", (a, k) => { Arguments.Count("__is_dict", a, 1, 1); return Boxes.Bool(a[0] is PyDict); });
        Add("__compare_reflected", (a, k) => Boxes.Int(Ops.ReflectedComparison(Comparison(a, 0, "__compare_reflected"))));
        Add("__compare_values", (a, k) =>
        {
            Arguments.Count("__compare_values", a, 3, 3);
            if (a[0] is not long x || a[1] is not long y) throw Errors.TypeError("__compare_values() compares two ints");
            return Ops.Compare(Comparison(a, 2, "__compare_values"), x, y);
        });
        Add("__checked_bool", (a, k) =>
        {
            Arguments.Count("__checked_bool", a, 1, 1);
            return a[0] is bool ? a[0] : throw Errors.TypeError($"__bool__ should return bool, returned {Ops.TypeName(a[0])}");
        });
        Add("__is_tuple", (a, k) => { Arguments.Count("__is_tuple", a, 1, 1); return Boxes.Bool(a[0] is PyTuple); });
        Add("__view_kind", (a, k) =>
        {
            Arguments.Count("__view_kind", a, 1, 1);
            return Boxes.Int(a[0] is DictView view ? view.Kind switch { DictViewKind.Keys => 0, DictViewKind.Values => 1, _ => 2 } : -1);
        });
        Add("__view_dict", (a, k) => { Arguments.Count("__view_dict", a, 1, 1); return Helper<DictView>(a, 0, "__view_dict").Dict; });
        Add("__is_list", (a, k) => { Arguments.Count("__is_list", a, 1, 1); return Boxes.Bool(a[0] is PyList); });
        Add("__is_exception", (a, k) => { Arguments.Count("__is_exception", a, 1, 1); return Boxes.Bool(a[0] is PyException); });
        Add("__hash_method", (a, k) =>
        {
            Arguments.Count("__hash_method", a, 1, 1);
            return Ops.UserHashMethod(a[0]) ?? (object)PyNone.Value;
        });
        Add("__checked_hash", (a, k) => { Arguments.Count("__checked_hash", a, 1, 1); return Boxes.Int(Ops.CheckedHash(a[0])); });
        Add("__hash_of_hashes", (a, k) =>
        {
            var hashes = Helper<PyList>(a, 0, "__hash_of_hashes").Items;
            var span = new long[hashes.Count];
            for (int i = 0; i < span.Length; i++) span[i] = hashes[i] as long? ?? throw Errors.TypeError("__hash_of_hashes() needs ints");
            return Boxes.Int(Hashing.HashTuple(span));
        });
        Add("__dict_keys_with_hash", (a, k) =>
        {
            Arguments.Count("__dict_keys_with_hash", a, 2, 2);
            return new PyList(Helper<PyDict>(a, 0, "__dict_keys_with_hash").KeysWithHash(HashArgument(a, 1)));
        });
        Add("__dict_value_of", (a, k) =>
        {
            Arguments.Count("__dict_value_of", a, 3, 3);
            var dict = Helper<PyDict>(a, 0, "__dict_value_of");
            int entry = dict.FindStored(a[1], HashArgument(a, 2));
            return entry >= 0 ? dict.ValueAt(entry) : throw Errors.KeyError(a[1]);
        });
        Add("__dict_replace", (a, k) =>
        {
            Arguments.Count("__dict_replace", a, 4, 4);
            var dict = Helper<PyDict>(a, 0, "__dict_replace");
            int entry = dict.FindStored(a[1], HashArgument(a, 2));
            if (entry >= 0) dict.SetValueAt(entry, a[3]);
            else dict.InsertNew(a[1], a[3], HashArgument(a, 2));
            return PyNone.Value;
        });
        Add("__dict_insert", (a, k) =>
        {
            Arguments.Count("__dict_insert", a, 4, 4);
            var dict = Helper<PyDict>(a, 0, "__dict_insert");
            long hash = HashArgument(a, 2);
            // Another tasklet may have added the very key meanwhile (frames ran since the lookup).
            int entry = dict.FindStored(a[1], hash);
            if (entry >= 0) dict.SetValueAt(entry, a[3]);
            else dict.InsertNew(a[1], a[3], hash);
            return PyNone.Value;
        });
        Add("__dict_remove", (a, k) =>
        {
            Arguments.Count("__dict_remove", a, 3, 3);
            var dict = Helper<PyDict>(a, 0, "__dict_remove");
            int entry = dict.FindStored(a[1], HashArgument(a, 2));
            if (entry < 0) throw Errors.KeyError(a[1]);
            dict.RemoveEntry(entry);
            return PyNone.Value;
        });
        Add("__dict_pairs", (a, k) =>
        {
            Arguments.Count("__dict_pairs", a, 1, 1);
            return new PyList(Helper<PyDict>(a, 0, "__dict_pairs").Items.Select(kv => (object)PyTuple.Of(kv.Key, kv.Value)).ToList());
        });
        Add("__raise_key_error", (a, k) => { Arguments.Count("__raise_key_error", a, 1, 1); throw Errors.KeyError(a[0]); });
        Add("__getitem_native", (a, k) => { Arguments.Count("__getitem_native", a, 2, 2); return Ops.GetItem(a[0], a[1]); });
        Add("__setitem_native", (a, k) => { Arguments.Count("__setitem_native", a, 3, 3); Ops.SetItem(a[0], a[1], a[2]); return PyNone.Value; });
        Add("__delitem_native", (a, k) => { Arguments.Count("__delitem_native", a, 2, 2); Ops.DelItem(a[0], a[1]); return PyNone.Value; });
        Table["__subscr_done"] = SubscrDone;
        Table["__truth_yes"] = TruthYes;
        Table["__json_hook_call"] = JsonHookCall;
        Table["__truth_no"] = TruthNo;
        Add("__list_remove_at", (a, k) =>
        {
            Arguments.Count("__list_remove_at", a, 2, 2);
            var items = Helper<PyList>(a, 0, "__list_remove_at").Items;
            int i = a[1] is long n && n >= 0 && n < items.Count ? (int)n : throw Errors.TypeError("__list_remove_at() needs an index of the list");
            items.RemoveAt(i);
            return PyNone.Value;
        });
        Add("__sort_without_script", (a, k) =>
        {
            Arguments.Count("__sort_without_script", a, 3, 3);
            return Boxes.Bool(ListMethods.SortWithoutScript(Helper<PyList>(a, 0, "__sort_without_script"), a[1], Ops.Truthy(a[2])));
        });
        Add("__sort_presort_check", (a, k) =>
        {
            Arguments.Count("__sort_presort_check", a, 1, 1);
            return ListMethods.SortPresortCheck(Helper<PyList>(a, 0, "__sort_presort_check").Items) ?? (object)PyNone.Value;
        });
        Add("__repr_kind", (a, k) => { Arguments.Count("__repr_kind", a, 1, 1); return Boxes.Int(Ops.ReprKind(a[0])); });
        Add("__repr_around", (a, k) => { Arguments.Count("__repr_around", a, 1, 1); return Ops.ReprAround(a[0]); });
        Add("__plain_repr", (a, k) => { Arguments.Count("__plain_repr", a, 1, 1); return Ops.Repr(a[0]); });
        Add("__plain_str", (a, k) => { Arguments.Count("__plain_str", a, 1, 1); return Ops.Str(a[0]); });
        Add("__plain_format", (a, k) =>
        {
            Arguments.Count("__plain_format", a, 2, 2);
            return Ops.Format(a[0], Helper<string>(a, 1, "__plain_format"));
        });
        Add("__checked_format", (a, k) =>
        {
            Arguments.Count("__checked_format", a, 1, 1);
            return a[0] as string ?? throw Errors.TypeError($"__format__ must return a str, not {Ops.TypeName(a[0])}");
        });
        Add("__escape_non_ascii", (a, k) => StrRepr.EscapeNonAscii(Helper<string>(a, 0, "__escape_non_ascii")));
        Add("__checked_iterator", (a, k) =>
        {
            Arguments.Count("__checked_iterator", a, 1, 1);
            return a[0] is PyIterator or PyGenerator or ChannelIterator || a[0] is PyInstance inst && Ops.FindUserMethod(inst, "__next__", out _)
                ? a[0]
                : throw Errors.TypeError($"iter() returned non-iterator of type '{Ops.TypeName(a[0])}'");
        });
        Add("__json_dumps_plain", (a, k) =>
        {
            Arguments.Count("__json_dumps_plain", a, 2, 2);
            return JsonModule.DumpsPlain(a[0], Helper<PyDict>(a, 1, "__json_dumps_plain"));
        });
        Add("__json_kind", (a, k) => { Arguments.Count("__json_kind", a, 1, 1); return Boxes.Int(JsonModule.PrepareKind(a[0])); });
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

    /// <summary>The marker _setitem and _delitem return to the StoreSubscr or DeleteSubscr instruction they ran for: the work is done.</summary>
    internal static readonly BuiltinFunction SubscrDone = new("__subscr_done", (a, k) => PyNone.Value);

    /// <summary>The answers _truth_marker gives `and` / `or` (JumpIfFalseOrPop, JumpIfTrueOrPop), which tell them from the operand below.</summary>
    internal static readonly BuiltinFunction TruthYes = new("__truth_yes", (a, k) => PyNone.Value);
    internal static readonly BuiltinFunction TruthNo = new("__truth_no", (a, k) => PyNone.Value);

    /// <summary>Marks a hook call json.loads left for the prelude's _json_resolve: (JsonHookCall, hook, argument).</summary>
    internal static readonly BuiltinFunction JsonHookCall = new("__json_hook_call", (a, k) => PyNone.Value);

    private static long HashArgument(object[] args, int index) =>
        index < args.Length && args[index] is long hash ? hash : throw Errors.TypeError("the prelude's dict helpers need a hash");

    private static T Helper<T>(object[] args, int index, string helper) where T : class =>
        index < args.Length && args[index] is T value ? value : throw Errors.TypeError($"{helper}() got a wrong argument {index + 1}");

    private static BinaryOperator Operator(object[] args, int index, string helper) =>
        index < args.Length && args[index] is long op && op >= 0 && op <= (long)BinaryOperator.MatMult ? (BinaryOperator)op
            : throw Errors.TypeError($"{helper}() needs an operator number");

    private static int Comparison(object[] args, int index, string helper) =>
        index < args.Length && args[index] is long op && op >= 0 && op <= 5 ? (int)op : throw Errors.TypeError($"{helper}() needs a comparison number");
}
