namespace Workflow.Tests.Builtins;

/// <summary>list and tuple methods, and list.sort's comparison order, against CPython 3.11.</summary>
public class ListMethodsTests
{
    [Fact]
    public void Sort_is_stable_with_a_key_and_with_reverse()
    {
        var output = Run.Output("""
            print("start")
            pairs = [(2, "b"), (1, "z"), (2, "a"), (1, "y"), (3, "c"), (1, "x")]
            a = pairs.copy()
            a.sort(key=lambda p: p[0])
            print(a)
            a.sort(key=lambda p: p[0], reverse=True)
            print(a)
            print(sorted(pairs), sorted(pairs, key=lambda p: p[0], reverse=True))
            words = ["banana", "Apple", "cherry", "apple", "Banana", "date"]
            words.sort(key=str.lower)
            print(words)
            calls = []
            def key(v):
                calls.append(v)
                return v % 3
            nums = [5, 3, 9, 1, 6, 2]
            nums.sort(key=key)
            print(nums, calls)
            """);
        Assert.Equal("""
            start
            [(1, 'z'), (1, 'y'), (1, 'x'), (2, 'b'), (2, 'a'), (3, 'c')]
            [(3, 'c'), (2, 'b'), (2, 'a'), (1, 'z'), (1, 'y'), (1, 'x')]
            [(1, 'x'), (1, 'y'), (1, 'z'), (2, 'a'), (2, 'b'), (3, 'c')] [(3, 'c'), (2, 'b'), (2, 'a'), (1, 'z'), (1, 'y'), (1, 'x')]
            ['Apple', 'apple', 'banana', 'Banana', 'cherry', 'date']
            [3, 9, 6, 1, 5, 2] [5, 3, 9, 1, 6, 2]

            """, output);
    }

    [Fact]
    public void Sort_compares_the_same_pairs_in_the_same_order_as_CPython()
    {
        var output = Run.Output("""
            print("start")
            class P:
                def __init__(self, v, tag):
                    self.v = v
                    self.tag = tag
                def __lt__(self, other):
                    print("lt", self.v, other.v)
                    return self.v < other.v
                def __repr__(self):
                    return f"P({self.v}{self.tag})"
            xs = [P(3, "a"), P(1, "b"), P(2, "c"), P(1, "d"), P(3, "e"), P(0, "f")]
            xs.sort(reverse=True)
            print(xs)
            count = [0]
            class C:
                def __init__(self, v):
                    self.v = v
                def __lt__(self, o):
                    count[0] += 1
                    return self.v < o.v
            seed = 12345
            vals = []
            for _ in range(1500):
                seed = (seed * 1103515245 + 12345) % 2147483648
                vals.append(C(seed % 500))
            vals.sort()
            print("random", count[0], [c.v for c in vals[:6]])
            count[0] = 0
            runs = [C(v) for v in list(range(300)) + list(range(150)) + list(range(400, 100, -1)) + [5] * 100 + list(range(50))]
            runs.sort()
            print("runs", count[0], [c.v for c in runs[-3:]])
            """);
        Assert.Equal("""
            start
            lt 3 0
            lt 1 3
            lt 1 3
            lt 1 0
            lt 2 1
            lt 2 3
            lt 1 2
            lt 1 1
            lt 3 1
            lt 3 3
            [P(3a), P(3e), P(2c), P(1b), P(1d), P(0f)]
            random 13874 [0, 0, 0, 1, 1, 1]
            runs 1925 [398, 399, 400]

            """, output);
    }

    [Fact]
    public void Sort_of_mixed_types_raises_and_leaves_a_permutation_of_the_list()
    {
        var output = Run.Output("""
            print("start")
            for xs in [[3, 1, 2, "a", 0, 5], [1, 2, None], [5, 4, 3, 2, 1, 0] * 12 + ["x"] + list(range(40))]:
                try:
                    xs.sort()
                except TypeError as e:
                    print(e, xs[:20], len(xs))
            try:
                sorted([2, 1, None], reverse=True)
            except TypeError as e:
                print(e)
            """);
        Assert.Equal("""
            start
            '<' not supported between instances of 'str' and 'int' [1, 2, 3, 'a', 0, 5] 6
            '<' not supported between instances of 'NoneType' and 'int' [1, 2, None] 3
            '<' not supported between instances of 'str' and 'int' [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2] 113
            '<' not supported between instances of 'int' and 'NoneType'

            """, output);
    }

    [Fact]
    public void Sort_hides_the_list_while_sorting_and_rejects_mutation()
    {
        var output = Run.Output("""
            print("start")
            lst = [3, 1, 2]
            def peek(v):
                print("len during sort", len(lst))
                return v
            lst.sort(key=peek)
            print(lst)
            grow = [3, 1, 2]
            def mutate(v):
                grow.append(v)
                return v
            try:
                grow.sort(key=mutate)
            except ValueError as e:
                print(e, grow)
            def bad(v):
                if v == 2:
                    raise KeyError(v)
                return -v
            keep = [3, 1, 2]
            try:
                keep.sort(key=bad)
            except KeyError as e:
                print("KeyError", e, keep)
            """);
        Assert.Equal("""
            start
            len during sort 0
            len during sort 0
            len during sort 0
            [1, 2, 3]
            list modified during sort [1, 2, 3]
            KeyError 2 [3, 1, 2]

            """, output);
    }

    [Fact]
    public void List_methods_match_CPython_results_and_errors()
    {
        var output = Run.Output("""
            print("start")
            def attempt(label, f):
                try:
                    print(label, repr(f()))
                except Exception as e:
                    print(label, type(e).__name__ + ":", e)
            L = [1, 2, 3, 2]
            attempt("append0", lambda: L.append())
            attempt("appendkw", lambda: L.append(x=1))
            attempt("extend5", lambda: L.extend(5))
            attempt("insert1", lambda: L.insert(1))
            attempt("insertstr", lambda: L.insert("a", 2))
            attempt("insertbig", lambda: L.insert(10**30, 2))
            attempt("pop2", lambda: L.pop(1, 2))
            attempt("popfar", lambda: L.pop(10))
            attempt("popempty", lambda: [].pop())
            attempt("remove9", lambda: L.remove(9))
            attempt("index0", lambda: L.index())
            attempt("index9", lambda: L.index(9))
            attempt("indexstr", lambda: L.index("x"))
            attempt("indexnone", lambda: L.index(1, None))
            attempt("indexfrom", lambda: L.index(2, 2))
            attempt("indexneg", lambda: L.index(2, -100, -1))
            attempt("count2", lambda: L.count(2))
            attempt("sortpos", lambda: L.sort(1))
            attempt("sortkw", lambda: L.sort(foo=1))
            attempt("sortrev", lambda: L.sort(reverse=None))
            attempt("reverse1", lambda: L.reverse(1))
            attempt("copy1", lambda: L.copy(1))
            attempt("tupleindex", lambda: (1, 2).index(3))
            attempt("tuplecount", lambda: (1, 1.0, True, 2).count(1))
            attempt("tupleindexfrom", lambda: (1, 2, 1).index(1, 1))
            a = [1, 2]
            a.extend(a)
            a.extend("xy")
            a.extend(x * 10 for x in (1, 2))
            b = []
            b.insert(0, "a"); b.insert(-1, "b"); b.insert(100, "c"); b.insert(-100, "d")
            print(a, b, b.pop(), b.pop(0), b)
            c = [1, 2, 3, 1]
            c.remove(True)
            c.reverse()
            d = c.copy()
            d.clear()
            print(c, d)
            """);
        Assert.Equal("""
            start
            append0 TypeError: list.append() takes exactly one argument (0 given)
            appendkw TypeError: list.append() takes no keyword arguments
            extend5 TypeError: 'int' object is not iterable
            insert1 TypeError: insert expected 2 arguments, got 1
            insertstr TypeError: 'str' object cannot be interpreted as an integer
            insertbig OverflowError: Python int too large to convert to C ssize_t
            pop2 TypeError: pop expected at most 1 argument, got 2
            popfar IndexError: pop index out of range
            popempty IndexError: pop from empty list
            remove9 ValueError: list.remove(x): x not in list
            index0 TypeError: index expected at least 1 argument, got 0
            index9 ValueError: 9 is not in list
            indexstr ValueError: 'x' is not in list
            indexnone TypeError: slice indices must be integers or have an __index__ method
            indexfrom 3
            indexneg 1
            count2 2
            sortpos TypeError: sort() takes no positional arguments
            sortkw TypeError: 'foo' is an invalid keyword argument for sort()
            sortrev TypeError: 'NoneType' object cannot be interpreted as an integer
            reverse1 TypeError: list.reverse() takes no arguments (1 given)
            copy1 TypeError: list.copy() takes no arguments (1 given)
            tupleindex ValueError: tuple.index(x): x not in tuple
            tuplecount 3
            tupleindexfrom 2
            [1, 2, 1, 2, 'x', 'y', 10, 20] ['b', 'a'] c d ['b', 'a']
            [1, 3, 2] []

            """, output);
    }
}
