using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>
/// The methods of list, by name, for the list type's method table. Each receives the list as
/// [self]. Argument errors use the wording of CPython's list methods, which differs by how each
/// is declared (METH_O, METH_NOARGS, Argument Clinic positional-only or keyword-only).
/// </summary>
internal static class ListMethods
{
    public static readonly Dictionary<string, NativeMethod> Table = new()
    {
        ["append"] = Append,
        ["extend"] = Extend,
        ["insert"] = Insert,
        ["pop"] = Pop,
        ["remove"] = Remove,
        ["index"] = Index,
        ["count"] = Count,
        ["sort"] = SortMethod,
        ["reverse"] = Reverse,
        ["copy"] = Copy,
        ["clear"] = Clear,
    };

    private static object Append(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var items = ((PyList)self).Items;
        var item = MethodArgs.One("list", "append", args, kwargs);
        ValueSize.EnsureGrowth(items.Count + 1, ValueSize.BytesPerItem);
        items.Add(item);
        return PyNone.Value;
    }

    private static object Extend(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var iterable = MethodArgs.One("list", "extend", args, kwargs);
        // Ops.Iterate snapshots lists and tuples, so xs.extend(xs) doubles xs; other iterables are
        // consumed lazily, and a generator reading the list sees it grow, as in CPython.
        Ops.Extend(((PyList)self).Items, iterable);
        return PyNone.Value;
    }

    private static object Insert(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("list", "insert", args, kwargs, 2, 2);
        var items = ((PyList)self).Items;
        long where = MethodArgs.AsSsize(args[0]);
        int n = items.Count;
        if (where < 0) where = Math.Max(0, where + n);
        ValueSize.EnsureGrowth(n + 1, ValueSize.BytesPerItem);
        items.Insert((int)Math.Min(where, n), args[1]);
        return PyNone.Value;
    }

    private static object Pop(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("list", "pop", args, kwargs, 0, 1);
        var items = ((PyList)self).Items;
        long index = args.Length == 0 ? -1 : MethodArgs.AsSsize(args[0]);
        if (items.Count == 0) throw Errors.IndexError("pop from empty list");
        if (index < 0) index += items.Count;
        if (index < 0 || index >= items.Count) throw Errors.IndexError("pop index out of range");
        var value = items[(int)index];
        items.RemoveAt((int)index);
        return value;
    }

    private static object Remove(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var items = ((PyList)self).Items;
        var value = MethodArgs.One("list", "remove", args, kwargs);
        var vm = Interpreter.Current;
        long found = 0;
        // A user __eq__ met on the way: the search runs as the prelude's frames (it may block).
        var frame = vm.ScriptFreeOr(() => { found = Ops.IndexOfItem(items, value); return PyNone.Value; }, () => vm.CallPrelude("_list_remove", self, value));
        if (frame is not PyNone) return frame;
        if (found < 0) throw Errors.ValueError("list.remove(x): x not in list");
        // A user __eq__ may have shrunk the list meanwhile.
        if (found < items.Count) items.RemoveAt((int)found);
        return PyNone.Value;
    }

    private static object Index(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("list", "index", args, kwargs, 1, 3);
        var items = ((PyList)self).Items;
        var (start, stop) = MethodArgs.SearchBounds(args, items.Count);
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() =>
        {
            long found = Ops.IndexOfItem(items, args[0], start, stop);
            return found >= 0 ? Boxes.Int(found) : throw Errors.ValueError($"{Ops.Repr(args[0])} is not in list");
        }, () => vm.CallPrelude("_list_index", self, args[0], Boxes.Int(start), Boxes.Int(stop)));
    }

    private static object Count(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var items = ((PyList)self).Items;
        var value = MethodArgs.One("list", "count", args, kwargs);
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() => Boxes.Int(Ops.CountItems(items, value)), () => vm.CallPrelude("_list_count", self, value));
    }

    private static object Reverse(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.None("list", "reverse", args, kwargs);
        ((PyList)self).Items.Reverse();
        return PyNone.Value;
    }

    private static object Copy(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.None("list", "copy", args, kwargs);
        return new PyList(new List<object>(((PyList)self).Items));
    }

    private static object Clear(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.None("list", "clear", args, kwargs);
        ((PyList)self).Items.Clear();
        return PyNone.Value;
    }

    /// <summary>list.sort(*, key=None, reverse=False).</summary>
    private static object SortMethod(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        if (args.Length > 0) throw Errors.TypeError("sort() takes no positional arguments");
        object? key = null;
        bool reverse = false;
        if (kwargs != null)
        {
            if (kwargs.Count > 2) throw Errors.TypeError($"sort() takes at most 2 keyword arguments ({kwargs.Count} given)");
            foreach (var (name, value) in kwargs)
            {
                if (name == "key") key = value;
                else if (name == "reverse") reverse = MethodArgs.AsCInt(value) != 0;
                else throw Errors.TypeError($"'{name}' is an invalid keyword argument for sort()");
            }
        }

        // A key function in script runs as frames of the prelude (it may block); see _list_sort.
        if (Prelude.IsScript(key)) return Interpreter.Current.CallPrelude("_list_sort", self, key!, Boxes.Bool(reverse));

        // As in CPython, the list looks empty while it is being sorted, so that key functions and
        // comparisons that mutate it cannot disturb the sort; any such mutation is discarded.
        var items = ((PyList)self).Items;
        var values = items.ToArray();
        var snapshot = values.Length > 1 || key is not (null or PyNone) ? (object[])values.Clone() : null;
        items.Clear();
        bool modified;
        try
        {
            if (snapshot == null) SortArray(values, key, reverse, "list.sort()");
            // A comparison, or a built-in key (len, str…), that needs a user method: the sort runs
            // again from the prelude, as frames.
            else if (Interpreter.Current.ScriptFreeOr(() => { SortArray(values, key, reverse, "list.sort()"); return Boxes.False; }, () => Boxes.True) is true)
            {
                values = snapshot;
                return Interpreter.Current.CallPrelude("_list_sort", self, key ?? PyNone.Value, Boxes.Bool(reverse));
            }
        }
        finally
        {
            modified = items.Count != 0;
            items.Clear();
            items.AddRange(values);
        }
        // Reached only when the sort itself succeeded: its own error takes precedence, as in CPython.
        if (modified) throw Errors.ValueError("list modified during sort");
        return PyNone.Value;
    }

    /// <summary>
    /// Sorts [items] in place as CPython's list.sort does (sorted() reuses it): [key] (None or
    /// null for none) is called once per item, in order, through the interpreter; items are
    /// compared with `&lt;` only, in exactly CPython's order, so user __lt__ methods see the same
    /// calls and mixed types fail with the same message. A failing comparison propagates its
    /// ScriptError and leaves [items] in some permutation of its input, as CPython does.
    /// </summary>
    public static void Sort(List<object> items, object? key, bool reverse, string caller = "sorted()")
    {
        var values = items.ToArray();
        try
        {
            SortArray(values, key, reverse, caller);
        }
        finally
        {
            items.Clear();
            items.AddRange(values);
        }
    }

    /// <summary>
    /// The prelude's _sort_keys tries this first: sorts [items] in place (by [keys] when a list of
    /// as many keys, else by the items themselves) as list.sort does, with user methods refused.
    /// Returns false, leaving [items] as they were, when a comparison needs a user method: the
    /// prelude then sorts them in script (_listsort), where such a comparison is a frame. A
    /// comparison that fails without one (mixed types) leaves [items] in the permutation CPython
    /// leaves, since no user method had run yet and the comparisons made were CPython's.
    /// </summary>
    public static bool SortWithoutScript(PyList items, object keys, bool reverse)
    {
        var values = items.Items.ToArray();
        object[]? keyArray = null;
        if (keys is PyList kl)
        {
            if (kl.Items.Count != values.Length) throw Errors.TypeError("__sort_without_script() needs a list of keys as long as the items");
            keyArray = kl.Items.ToArray();
        }
        else if (keys is not PyNone) throw Errors.TypeError("__sort_without_script() needs a list of keys or None");
        bool abandoned = false;
        try
        {
            Interpreter.Current.ScriptFreeOr(() => { SortByKeys(values, keyArray, reverse); return PyNone.Value; }, () => { abandoned = true; return PyNone.Value; });
        }
        finally
        {
            if (!abandoned)
            {
                items.Items.Clear();
                items.Items.AddRange(values);
            }
        }
        return !abandoned;
    }

    /// <summary>
    /// CPython's pre-sort check, the part a user method can observe: when every key is an instance
    /// of one class (exactly) whose __lt__ is a user function, (that function, false): list.sort
    /// then calls it directly (unsafe_object_compare) instead of making a full `&lt;`. When every key
    /// is a non-empty tuple and their first items are such instances, (the function, true): the
    /// first items of two tuples are compared so (unsafe_tuple_compare). Otherwise null.
    /// </summary>
    public static PyTuple? SortPresortCheck(List<object> keys)
    {
        if (keys.Count == 0) return null;
        bool inTuples = keys[0] is PyTuple { Count: > 0 };
        PyClass? cls = null;
        foreach (var key in keys)
        {
            object item = key;
            if (inTuples)
            {
                if (key is not PyTuple { Count: > 0 } tuple) return null;
                item = tuple.Items[0];
            }
            if (item is not PyInstance inst || (cls != null && inst.Class != cls)) return null;
            cls = inst.Class;
        }
        var first = (PyInstance)(inTuples ? ((PyTuple)keys[0]).Items[0] : keys[0]);
        return Ops.FindUserMethod(first, "__lt__", out var method) && method is PyFunction
            ? PyTuple.Of(method, Boxes.Bool(inTuples))
            : null;
    }

    private static void SortArray(object[] values, object? key, bool reverse, string caller)
    {
        object[]? keys = null;
        if (key is not null and not PyNone)
        {
            keys = new object[values.Length];
            var interpreter = Interpreter.Current;
            for (int i = 0; i < values.Length; i++)
                keys[i] = interpreter.CallNested(key, new[] { values[i] }, null, caller);
        }
        SortByKeys(values, keys, reverse);
    }

    /// <summary>Sorts [values] by [keys] (null: by the values themselves), the keys already computed.</summary>
    private static void SortByKeys(object[] values, object[]? keys, bool reverse)
    {
        if (values.Length < 2) return;

        // Reversing before and after a stable ascending sort keeps equal items in their original
        // order, which is what reverse=True promises.
        if (reverse)
        {
            if (keys != null) Array.Reverse(keys);
            Array.Reverse(values);
        }
        try
        {
            if (keys != null) new TimSort(keys, values).Run();
            else new TimSort(values, null).Run();
        }
        finally
        {
            if (reverse) Array.Reverse(values);
        }
    }

    /// <summary>
    /// CPython 3.11's listsort (Objects/listobject.c, described in listsort.txt): natural runs
    /// extended to minrun by binary insertion, merged by the powersort policy, with galloping.
    /// It is reproduced step for step because user comparisons are observable: which pairs get
    /// compared decides both the output of a printing __lt__ and the wording of a TypeError.
    /// [_keys] are compared; [_values] (null when sorting the keys themselves) move with them.
    /// The prelude's _listsort (Prelude.wf) is the same algorithm in script, for keys that compare
    /// with user methods; the two must stay step for step alike (tests/sort_oracle checks the
    /// script one against CPython).
    /// </summary>
    private sealed class TimSort
    {
        private const int MinGallop = 7;
        private const int MaxPending = 85;

        private readonly object[] _keys;
        private readonly object[]? _values;
        private object[] _tmpKeys = Array.Empty<object>();
        private object[]? _tmpValues;
        private int _minGallop = MinGallop;

        // The stack of pending runs: run i starts at _runBase[i] and has _runLength[i] items.
        private readonly int[] _runBase = new int[MaxPending];
        private readonly int[] _runLength = new int[MaxPending];
        private readonly int[] _runPower = new int[MaxPending];
        private int _runs;

        public TimSort(object[] keys, object[]? values)
        {
            _keys = keys;
            _values = values;
        }

        /// <summary>Comparisons made so far in the current batch of BuiltinWork: a sort is charged per comparison.</summary>
        private int _comparisons;

        private bool Less(object a, object b)
        {
            BuiltinWork.Step(ref _comparisons);
            return Ops.Less(a, b);
        }

        public void Run()
        {
            int n = _keys.Length;
            int lo = 0, remaining = n;
            int minRun = ComputeMinRun(n);
            do
            {
                int run = CountRun(lo, lo + remaining, out bool descending);
                if (descending) ReverseRange(lo, run);
                if (run < minRun)
                {
                    int force = remaining <= minRun ? remaining : minRun;
                    BinarySort(lo, lo + force, lo + run);
                    run = force;
                }
                FoundNewRun(run);
                _runBase[_runs] = lo;
                _runLength[_runs] = run;
                _runs++;
                lo += run;
                remaining -= run;
            } while (remaining > 0);
            ForceCollapse();
        }

        /// <summary>n itself below 64; otherwise a k in [32, 64] such that n / k is just below a power of two.</summary>
        private static int ComputeMinRun(int n)
        {
            int r = 0;
            while (n >= 64)
            {
                r |= n & 1;
                n >>= 1;
            }
            return n + r;
        }

        private void ReverseRange(int lo, int n)
        {
            Array.Reverse(_keys, lo, n);
            if (_values != null) Array.Reverse(_values, lo, n);
        }

        /// <summary>
        /// The length of the run at [lo, hi): the longest non-descending prefix, or the longest
        /// strictly descending one (then [descending] is set; strictness keeps reversal stable).
        /// </summary>
        private int CountRun(int lo, int hi, out bool descending)
        {
            descending = false;
            lo++;
            if (lo == hi) return 1;
            int n = 2;
            if (Less(_keys[lo], _keys[lo - 1]))
            {
                descending = true;
                for (lo++; lo < hi; lo++, n++)
                    if (!Less(_keys[lo], _keys[lo - 1])) break;
            }
            else
            {
                for (lo++; lo < hi; lo++, n++)
                    if (Less(_keys[lo], _keys[lo - 1])) break;
            }
            return n;
        }

        /// <summary>Sorts [lo, hi) by binary insertion, given that [lo, start) is already sorted.</summary>
        private void BinarySort(int lo, int hi, int start)
        {
            if (lo == start) start++;
            for (; start < hi; start++)
            {
                int l = lo, r = start;
                var pivot = _keys[r];
                // Items equal to the pivot stay before it, which makes the insertion stable.
                do
                {
                    int p = l + ((r - l) >> 1);
                    if (Less(pivot, _keys[p])) r = p;
                    else l = p + 1;
                } while (l < r);
                Array.Copy(_keys, l, _keys, l + 1, start - l);
                _keys[l] = pivot;
                if (_values != null)
                {
                    var pivotValue = _values[start];
                    Array.Copy(_values, l, _values, l + 1, start - l);
                    _values[l] = pivotValue;
                }
            }
        }

        /// <summary>
        /// In the sorted [n] items of [a] from [b], the position where [key] belongs before any
        /// equal items, searching outward from [hint].
        /// </summary>
        private int GallopLeft(object key, object[] a, int b, int n, int hint)
        {
            int at = b + hint;
            int lastOfs = 0, ofs = 1;
            if (Less(a[at], key))
            {
                // a[hint] < key: gallop right until a[hint + lastOfs] < key <= a[hint + ofs].
                int maxOfs = n - hint;
                while (ofs < maxOfs)
                {
                    if (!Less(a[at + ofs], key)) break;
                    lastOfs = ofs;
                    ofs = (ofs << 1) + 1;
                }
                if (ofs > maxOfs) ofs = maxOfs;
                lastOfs += hint;
                ofs += hint;
            }
            else
            {
                // key <= a[hint]: gallop left until a[hint - ofs] < key <= a[hint - lastOfs].
                int maxOfs = hint + 1;
                while (ofs < maxOfs)
                {
                    if (Less(a[at - ofs], key)) break;
                    lastOfs = ofs;
                    ofs = (ofs << 1) + 1;
                }
                if (ofs > maxOfs) ofs = maxOfs;
                int k = lastOfs;
                lastOfs = hint - ofs;
                ofs = hint - k;
            }
            // Now a[lastOfs] < key <= a[ofs]; binary search in between.
            lastOfs++;
            while (lastOfs < ofs)
            {
                int m = lastOfs + ((ofs - lastOfs) >> 1);
                if (Less(a[b + m], key)) lastOfs = m + 1;
                else ofs = m;
            }
            return ofs;
        }

        /// <summary>Like GallopLeft, but [key] goes after any equal items.</summary>
        private int GallopRight(object key, object[] a, int b, int n, int hint)
        {
            int at = b + hint;
            int lastOfs = 0, ofs = 1;
            if (Less(key, a[at]))
            {
                // key < a[hint]: gallop left until a[hint - ofs] <= key < a[hint - lastOfs].
                int maxOfs = hint + 1;
                while (ofs < maxOfs)
                {
                    if (!Less(key, a[at - ofs])) break;
                    lastOfs = ofs;
                    ofs = (ofs << 1) + 1;
                }
                if (ofs > maxOfs) ofs = maxOfs;
                int k = lastOfs;
                lastOfs = hint - ofs;
                ofs = hint - k;
            }
            else
            {
                // a[hint] <= key: gallop right until a[hint + lastOfs] <= key < a[hint + ofs].
                int maxOfs = n - hint;
                while (ofs < maxOfs)
                {
                    if (Less(key, a[at + ofs])) break;
                    lastOfs = ofs;
                    ofs = (ofs << 1) + 1;
                }
                if (ofs > maxOfs) ofs = maxOfs;
                lastOfs += hint;
                ofs += hint;
            }
            lastOfs++;
            while (lastOfs < ofs)
            {
                int m = lastOfs + ((ofs - lastOfs) >> 1);
                if (Less(key, a[b + m])) ofs = m;
                else lastOfs = m + 1;
            }
            return ofs;
        }

        private void EnsureTemp(int need)
        {
            if (_tmpKeys.Length >= need) return;
            _tmpKeys = new object[need];
            if (_values != null) _tmpValues = new object[need];
        }

        /// <summary>Copies [n] items from [src] to [dest] within the array (overlap allowed, like memmove).</summary>
        private void Move(int dest, int src, int n)
        {
            Array.Copy(_keys, src, _keys, dest, n);
            if (_values != null) Array.Copy(_values, src, _values, dest, n);
        }

        private void ToTemp(int src, int n)
        {
            Array.Copy(_keys, src, _tmpKeys, 0, n);
            if (_values != null) Array.Copy(_values, src, _tmpValues!, 0, n);
        }

        private void FromTemp(int dest, int src, int n)
        {
            Array.Copy(_tmpKeys, src, _keys, dest, n);
            if (_values != null) Array.Copy(_tmpValues!, src, _values, dest, n);
        }

        private void Set(int dest, int src)
        {
            _keys[dest] = _keys[src];
            if (_values != null) _values[dest] = _values[src];
        }

        private void SetFromTemp(int dest, int src)
        {
            _keys[dest] = _tmpKeys[src];
            if (_values != null) _values[dest] = _tmpValues![src];
        }

        /// <summary>
        /// Merges the adjacent sorted runs [pa, pa + na) and [pb, pb + nb) in place, for na &lt;= nb:
        /// run a moves to the temp array and is merged in from the left. The last item of a must
        /// belong at the very end and the first of b at the very start (MergeAt ensures both).
        /// </summary>
        private void MergeLo(int pa, int na, int pb, int nb)
        {
            EnsureTemp(na);
            ToTemp(pa, na);
            int dest = pa, ta = 0;
            try
            {
                Set(dest++, pb++);
                if (--nb == 0) goto Succeed;
                if (na == 1) goto CopyB;

                int minGallop = _minGallop;
                for (;;)
                {
                    int acount = 0, bcount = 0;
                    // Plain one-at-a-time merging, until one run wins minGallop times in a row.
                    for (;;)
                    {
                        if (Less(_keys[pb], _tmpKeys[ta]))
                        {
                            Set(dest++, pb++);
                            bcount++;
                            acount = 0;
                            if (--nb == 0) goto Succeed;
                            if (bcount >= minGallop) break;
                        }
                        else
                        {
                            SetFromTemp(dest++, ta++);
                            acount++;
                            bcount = 0;
                            if (--na == 1) goto CopyB;
                            if (acount >= minGallop) break;
                        }
                    }

                    // Galloping, until neither run wins MinGallop times at once.
                    minGallop++;
                    do
                    {
                        if (minGallop > 1) minGallop--;
                        _minGallop = minGallop;
                        int k = GallopRight(_keys[pb], _tmpKeys, ta, na, 0);
                        acount = k;
                        if (k != 0)
                        {
                            FromTemp(dest, ta, k);
                            dest += k;
                            ta += k;
                            na -= k;
                            if (na == 1) goto CopyB;
                            // Impossible with a consistent comparison, but a user __lt__ may not be one.
                            if (na == 0) goto Succeed;
                        }
                        Set(dest++, pb++);
                        if (--nb == 0) goto Succeed;

                        k = GallopLeft(_tmpKeys[ta], _keys, pb, nb, 0);
                        bcount = k;
                        if (k != 0)
                        {
                            Move(dest, pb, k);
                            dest += k;
                            pb += k;
                            nb -= k;
                            if (nb == 0) goto Succeed;
                        }
                        SetFromTemp(dest++, ta++);
                        if (--na == 1) goto CopyB;
                    } while (acount >= MinGallop || bcount >= MinGallop);
                    minGallop++;
                    _minGallop = minGallop;
                }

            Succeed:
                if (na > 0) FromTemp(dest, ta, na);
                return;
            CopyB:
                // The last item of a belongs after all of what remains of b.
                Move(dest, pb, nb);
                SetFromTemp(dest + nb, ta);
                return;
            }
            catch
            {
                // A comparison failed: put back what is left of a, so nothing is lost or duplicated.
                if (na > 0) FromTemp(dest, ta, na);
                throw;
            }
        }

        /// <summary>The mirror image of MergeLo for na &gt;= nb: run b moves to the temp array and is merged in from the right.</summary>
        private void MergeHi(int pa, int na, int pb, int nb)
        {
            EnsureTemp(nb);
            ToTemp(pb, nb);
            int dest = pb + nb - 1;
            int ia = pa + na - 1;
            int tb = nb - 1;
            try
            {
                Set(dest--, ia--);
                if (--na == 0) goto Succeed;
                if (nb == 1) goto CopyA;

                int minGallop = _minGallop;
                for (;;)
                {
                    int acount = 0, bcount = 0;
                    for (;;)
                    {
                        if (Less(_tmpKeys[tb], _keys[ia]))
                        {
                            Set(dest--, ia--);
                            acount++;
                            bcount = 0;
                            if (--na == 0) goto Succeed;
                            if (acount >= minGallop) break;
                        }
                        else
                        {
                            SetFromTemp(dest--, tb--);
                            bcount++;
                            acount = 0;
                            if (--nb == 1) goto CopyA;
                            if (bcount >= minGallop) break;
                        }
                    }

                    minGallop++;
                    do
                    {
                        if (minGallop > 1) minGallop--;
                        _minGallop = minGallop;
                        int k = na - GallopRight(_tmpKeys[tb], _keys, pa, na, na - 1);
                        acount = k;
                        if (k != 0)
                        {
                            dest -= k;
                            ia -= k;
                            Move(dest + 1, ia + 1, k);
                            na -= k;
                            if (na == 0) goto Succeed;
                        }
                        SetFromTemp(dest--, tb--);
                        if (--nb == 1) goto CopyA;

                        k = nb - GallopLeft(_keys[ia], _tmpKeys, 0, nb, nb - 1);
                        bcount = k;
                        if (k != 0)
                        {
                            dest -= k;
                            tb -= k;
                            FromTemp(dest + 1, tb + 1, k);
                            nb -= k;
                            if (nb == 1) goto CopyA;
                            if (nb == 0) goto Succeed;
                        }
                        Set(dest--, ia--);
                        if (--na == 0) goto Succeed;
                    } while (acount >= MinGallop || bcount >= MinGallop);
                    minGallop++;
                    _minGallop = minGallop;
                }

            Succeed:
                if (nb > 0) FromTemp(dest - (nb - 1), 0, nb);
                return;
            CopyA:
                // The first item of b belongs before all of what remains of a.
                Move(dest + 1 - na, ia + 1 - na, na);
                dest -= na;
                SetFromTemp(dest, tb);
                return;
            }
            catch
            {
                if (nb > 0) FromTemp(dest - (nb - 1), 0, nb);
                throw;
            }
        }

        /// <summary>Merges the pending runs [i] and [i + 1]; i is the second- or third-last run.</summary>
        private void MergeAt(int i)
        {
            int pa = _runBase[i], na = _runLength[i];
            int pb = _runBase[i + 1], nb = _runLength[i + 1];
            _runLength[i] = na + nb;
            if (i == _runs - 3)
            {
                _runBase[i + 1] = _runBase[i + 2];
                _runLength[i + 1] = _runLength[i + 2];
                _runPower[i + 1] = _runPower[i + 2];
            }
            _runs--;

            // Items of a already in place before b's first item, and of b after a's last, stay put.
            int k = GallopRight(_keys[pb], _keys, pa, na, 0);
            pa += k;
            na -= k;
            if (na == 0) return;
            nb = GallopLeft(_keys[pa + na - 1], _keys, pb, nb, nb - 1);
            if (nb <= 0) return;
            if (na <= nb) MergeLo(pa, na, pb, nb);
            else MergeHi(pa, na, pb, nb);
        }

        /// <summary>
        /// The powersort policy: a new run of [n2] items follows the top run; merge the runs below
        /// it whose power (depth in the ideal merge tree) exceeds the top run's.
        /// </summary>
        private void FoundNewRun(int n2)
        {
            if (_runs == 0) return;
            int s1 = _runBase[_runs - 1], n1 = _runLength[_runs - 1];
            int power = PowerLoop(s1, n1, n2, _keys.Length);
            while (_runs > 1 && _runPower[_runs - 2] > power) MergeAt(_runs - 2);
            _runPower[_runs - 1] = power;
        }

        /// <summary>
        /// The power of the boundary between runs [s1, s1 + n1) and the next n2 items in a list of
        /// [n]: the first bit where the binary expansions of their midpoints (divided by n) differ.
        /// </summary>
        private static int PowerLoop(long s1, long n1, long n2, long n)
        {
            int result = 0;
            long a = 2 * s1 + n1, b = a + n1 + n2;
            for (;;)
            {
                result++;
                if (a >= n)
                {
                    a -= n;
                    b -= n;
                }
                else if (b >= n) break;
                a <<= 1;
                b <<= 1;
            }
            return result;
        }

        private void ForceCollapse()
        {
            while (_runs > 1)
            {
                int n = _runs - 2;
                if (n > 0 && _runLength[n - 1] < _runLength[n + 1]) n--;
                MergeAt(n);
            }
        }
    }
}
