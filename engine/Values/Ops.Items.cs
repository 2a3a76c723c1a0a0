using System.Numerics;
using Workflow.Values.Text;
using Workflow.Runtime;

namespace Workflow.Values;

internal static partial class Ops
{
    public static long Len(object v)
    {
        switch (v)
        {
            case string s: return CodePoints.Length(s);
            case PyList list: return list.Items.Count;
            case PyTuple tuple: return tuple.Items.Length;
            case PyDict dict: return dict.Count;
            case PyRange range: return range.Length;
            case DictView view: return view.Dict.Count;
            case PyInstance inst when FindUserMethod(inst, "__len__", out var len):
                {
                    var result = CallMethod(inst, len, "__len__");
                    if (result is not long n) throw Errors.TypeError($"'{TypeName(result)}' object cannot be interpreted as an integer");
                    if (n < 0) throw Errors.ValueError("__len__() should return >= 0");
                    return n;
                }
            default: throw Errors.TypeError($"object of type '{TypeName(v)}' has no len()");
        }
    }

    /// <summary>A user class that answers `in` itself through __contains__ (rather than by being iterated).</summary>
    public static bool HasUserContains(object container) => container is PyInstance inst && FindUserMethod(inst, "__contains__", out _);

    /// <summary>`item in container`.</summary>
    public static bool Contains(object container, object item)
    {
        switch (container)
        {
            case string s:
                if (item is not string sub) throw Errors.TypeError($"'in <string>' requires string as left operand, not {TypeName(item)}");
                BuiltinWork.Chars(s.Length);
                return CodePoints.IndexOf(s, sub, 0, s.Length) >= 0;
            case PyList list: return IndexOfItem(list.Items, item) >= 0;
            case PyTuple tuple: return IndexOfItem(tuple.Items, item) >= 0;
            case PyDict dict: return dict.ContainsKey(item);
            case DictView { Kind: DictViewKind.Keys } keys: return keys.Dict.ContainsKey(item);
            case DictView { Kind: DictViewKind.Items } items:
                return item is PyTuple { Items.Length: 2 } pair && items.Dict.TryGetValue(pair.Items[0], out var value) && Eq(value, pair.Items[1]);
            case PyRange range: return range.Contains(item);
            case PyInstance inst when FindUserMethod(inst, "__contains__", out var contains):
                return Truthy(CallMethod(inst, contains, "__contains__", item));
        }
        if (container is PyIterator or Runtime.PyGenerator or DictView or PyInstance)
        {
            foreach (var x in Iterate(container))
                if (ReferenceEquals(x, item) || Eq(x, item)) return true;
            return false;
        }
        throw Errors.TypeError($"argument of type '{TypeName(container)}' is not iterable");
    }

    /// <summary>
    /// The first index in [start, stop) of an item that is [value] or equals it, or -1: `in`,
    /// index() and remove() of lists and tuples. The count is read at each step, since a user
    /// __eq__ may shrink a list; the items are charged to the interpreter.
    /// </summary>
    public static long IndexOfItem(IReadOnlyList<object> items, object value, long start = 0, long stop = long.MaxValue)
    {
        int work = 0;
        for (long i = start; i < stop && i < items.Count; i++)
        {
            BuiltinWork.Step(ref work);
            var item = items[(int)i];
            if (ReferenceEquals(item, value) || Eq(item, value)) return i;
        }
        return -1;
    }

    /// <summary>How many items are [value] or equal it: count() of lists and tuples, charged like IndexOfItem.</summary>
    public static long CountItems(IReadOnlyList<object> items, object value)
    {
        long count = 0;
        int work = 0;
        for (int i = 0; i < items.Count; i++)
        {
            BuiltinWork.Step(ref work);
            if (ReferenceEquals(items[i], value) || Eq(items[i], value)) count++;
        }
        return count;
    }

    /// <summary>Resolves [index] against a sequence of [count] items (negative counts from the end); IndexError names [kind].</summary>
    public static int SequenceIndex(object index, int count, string kind)
    {
        long i = index switch
        {
            long l => l,
            bool b => b ? 1 : 0,
            BigInteger => throw Errors.IndexError($"cannot fit 'int' into an index-sized integer"),
            _ => throw Errors.TypeError($"{kind} indices must be integers or slices, not {TypeName(index)}"),
        };
        if (i < 0) i += count;
        if (i < 0 || i >= count) throw Errors.IndexError($"{kind} index out of range");
        return (int)i;
    }

    public static object GetItem(object container, object key)
    {
        switch (container)
        {
            case PyList list:
                if (key is PySlice ls) return new PyList(SliceItems(list.Items, ls));
                return list.Items[SequenceIndex(key, list.Items.Count, "list")];
            case PyTuple tuple:
                if (key is PySlice ts) return new PyTuple(SliceItems(tuple.Items, ts).ToArray());
                return tuple.Items[SequenceIndex(key, tuple.Items.Length, "tuple")];
            case string s:
                if (key is PySlice ss) return CodePoints.Slice(s, ss);
                if (key is not (long or bool or BigInteger)) throw Errors.TypeError($"string indices must be integers, not '{TypeName(key)}'");
                return CodePoints.At(s, SequenceIndex(key, CodePoints.Length(s), "string"));
            case PyDict dict:
                if (dict.TryGetValue(key, out var value)) return value;
                throw Errors.KeyError(key);
            case PyRange range: return range.GetItem(key);
            case PyInstance inst when FindUserMethod(inst, "__getitem__", out var getitem):
                return CallMethod(inst, getitem, "__getitem__", key);
            case PyClass cls when cls == BuiltinTypes.List || cls == BuiltinTypes.Dict || cls == BuiltinTypes.Tuple:
                return cls;
        }
        throw Errors.TypeError($"'{TypeName(container)}' object is not subscriptable");
    }

    private static List<object> SliceItems(IReadOnlyList<object> items, PySlice slice)
    {
        var (start, _, step, count) = slice.Indices(items.Count);
        var result = new List<object>((int)count);
        for (long i = 0, j = start; i < count; i++, j += step) result.Add(items[(int)j]);
        return result;
    }

    public static void SetItem(object container, object key, object value)
    {
        switch (container)
        {
            case PyList list:
                if (key is PySlice slice)
                {
                    AssignSlice(list, slice, value);
                    return;
                }
                list.Items[SequenceIndex(key, list.Items.Count, "list assignment")] = value;
                return;
            case PyDict dict:
                dict.Set(key, value);
                return;
            case PyInstance inst when FindUserMethod(inst, "__setitem__", out var setitem):
                CallMethod(inst, setitem, "__setitem__", key, value);
                return;
        }
        throw Errors.TypeError($"'{TypeName(container)}' object does not support item assignment");
    }

    private static void AssignSlice(PyList list, PySlice slice, object value)
    {
        var items = ToList(value);
        var (start, stop, step, count) = slice.Indices(list.Items.Count);
        if (step == 1) ValueSize.EnsureItems(list.Items.Count - Math.Max(0, count) + items.Count);
        if (step == 1)
        {
            list.Items.RemoveRange((int)start, (int)Math.Max(0, count));
            list.Items.InsertRange((int)start, items);
            return;
        }
        if (items.Count != count)
            throw Errors.ValueError($"attempt to assign sequence of size {items.Count} to extended slice of size {count}");
        for (long i = 0, j = start; i < count; i++, j += step) list.Items[(int)j] = items[(int)i];
    }

    public static void DelItem(object container, object key)
    {
        switch (container)
        {
            case PyList list:
                if (key is PySlice slice)
                {
                    var (start, _, step, count) = slice.Indices(list.Items.Count);
                    var doomed = new HashSet<long>();
                    for (long i = 0, j = start; i < count; i++, j += step) doomed.Add(j);
                    var kept = list.Items.Where((_, idx) => !doomed.Contains(idx)).ToList();
                    list.Items.Clear();
                    list.Items.AddRange(kept);
                    return;
                }
                list.Items.RemoveAt(SequenceIndex(key, list.Items.Count, "list assignment"));
                return;
            case PyDict dict:
                if (!dict.Remove(key, out _)) throw Errors.KeyError(key);
                return;
            case PyInstance inst when FindUserMethod(inst, "__delitem__", out var delitem):
                CallMethod(inst, delitem, "__delitem__", key);
                return;
        }
        throw Errors.TypeError($"'{TypeName(container)}' object doesn't support item deletion");
    }
}
