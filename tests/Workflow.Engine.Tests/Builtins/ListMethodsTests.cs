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

    /// <summary>
    /// Items that compare with user methods are sorted by the prelude's _listsort, CPython's listsort
    /// in script: a one-class __lt__ that answers NotImplemented runs twice (CPython's pre-sort check
    /// calls it directly, then makes a full `&lt;`), also for the first items of tuples, and once in
    /// a list of two classes; an __lt__ that raises
    /// (at its 300th, 450th, 530th call: in a binary insertion and in a merge) leaves the list in
    /// CPython's permutation, by value and with a key, reversed or not; a comparison that changes the
    /// list sees it empty and the sort fails once done. Expected output: python3 (CPython 3.11).
    /// </summary>
    [Fact]
    public void Sort_by_user_methods_matches_CPython_in_NotImplemented_failures_and_mutation()
    {
        var output = Run.Output("""
            print("start")
            log = []
            class A:
                def __init__(self, v):
                    self.v = v
                def __lt__(self, other):
                    log.append("lt " + str(self.v) + str(other.v))
                    if (self.v + other.v) % 2 == 0:
                        return NotImplemented
                    return self.v < other.v
                def __gt__(self, other):
                    log.append("gt " + str(self.v) + str(other.v))
                    return self.v > other.v
                def __repr__(self):
                    return "A" + str(self.v)
            class B(A):
                pass
            print(sorted([A(3), A(1), A(2), A(5), A(4)]), log)
            log.clear()
            print(sorted([A(3), B(1), A(2), B(5), A(4)]), log)
            log.clear()
            print(sorted([1, 2, 3], key=lambda v: A(4 - v), reverse=True), log)
            log.clear()
            print(sorted([(A(2), 1), (A(1), 2), (A(3), 0), (A(5), 3)]), log)
            log.clear()
            print(sorted([(A(2), 1), (B(1), 2), (A(3), 0), (B(5), 3)]), log)
            calls = [0]
            class F:
                def __init__(self, v, tag):
                    self.v = v
                    self.tag = tag
                def __lt__(self, other):
                    calls[0] += 1
                    if calls[0] == limit[0]:
                        raise KeyError(calls[0])
                    return self.v < other.v
                def __repr__(self):
                    return str(self.v) + self.tag
            limit = [0]
            values = [(i * 7919) % 31 for i in range(100)]
            for stop, reverse in [(300, False), (450, True), (530, False)]:
                xs = [F(v, "xyz"[i % 3]) for i, v in enumerate(values)]
                calls[0] = 0
                limit[0] = stop
                try:
                    xs.sort(reverse=reverse)
                except KeyError as e:
                    print("KeyError", e, reverse, xs)
                ys = list(range(100))
                calls[0] = 0
                try:
                    ys.sort(key=lambda i: F(values[i], ""), reverse=reverse)
                except KeyError as e:
                    print("KeyError", e, reverse, ys)
            limit[0] = -1
            grow = [F(3, "a"), F(1, "b"), F(2, "c")]
            class G(F):
                def __lt__(self, other):
                    grow.append(self)
                    print("len during sort", len(grow))
                    return self.v < other.v
            grow = [G(3, "a"), G(1, "b"), G(2, "c")]
            try:
                grow.sort()
            except ValueError as e:
                print(e, grow)
            print(min([F(5, "a"), F(2, "b"), F(2, "c")]), max([F(5, "a"), F(7, "b"), F(7, "c")]))
            """);
        Assert.Equal("""
            start
            [A1, A2, A3, A4, A5] ['lt 13', 'lt 13', 'gt 31', 'lt 21', 'lt 23', 'lt 21', 'lt 52', 'lt 53', 'lt 53', 'gt 35', 'lt 43', 'lt 45']
            [A1, A2, A3, A4, A5] ['lt 13', 'gt 31', 'gt 12', 'lt 23', 'gt 12', 'lt 52', 'lt 53', 'gt 35', 'lt 43', 'gt 54']
            [1, 2, 3] ['lt 21', 'lt 32']
            [(A1, 2), (A2, 1), (A3, 0), (A5, 3)] ['lt 12', 'lt 31', 'lt 31', 'gt 13', 'lt 32', 'lt 52', 'lt 53', 'lt 53', 'gt 35']
            [(A1, 2), (A2, 1), (A3, 0), (A5, 3)] ['lt 12', 'gt 13', 'lt 32', 'lt 52', 'lt 53', 'gt 35']
            KeyError 300 False [0x, 0y, 1z, 2x, 2y, 3z, 4x, 4y, 5y, 5z, 6x, 7y, 7z, 8z, 8x, 9y, 10z, 10x, 11x, 11y, 12z, 13x, 13y, 14y, 14z, 15x, 16y, 16z, 17x, 18y, 19z, 19x, 20y, 21z, 21x, 22x, 22y, 23z, 24x, 24y, 25y, 25z, 26x, 27y, 27z, 28z, 28x, 29y, 30z, 30x, 0z, 1x, 2z, 3x, 5x, 6y, 8y, 9z, 11z, 12x, 14x, 15y, 16x, 17y, 18z, 19y, 20z, 22z, 23x, 25x, 26y, 28y, 29z, 30y, 13z, 27x, 10y, 24z, 7x, 21y, 4z, 18x, 1y, 15z, 29x, 12y, 26z, 9x, 23y, 6z, 20x, 3y, 17z, 0x, 14y, 28z, 11x, 25y, 8z, 22x]
            KeyError 300 False [0, 31, 20, 9, 40, 29, 18, 49, 7, 38, 27, 16, 47, 5, 36, 25, 14, 45, 3, 34, 23, 12, 43, 1, 32, 21, 10, 41, 30, 19, 8, 39, 28, 17, 48, 6, 37, 26, 15, 46, 4, 35, 24, 13, 44, 2, 33, 22, 11, 42, 62, 51, 71, 60, 69, 58, 67, 56, 65, 54, 63, 52, 72, 61, 50, 70, 59, 68, 57, 66, 55, 64, 53, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]
            KeyError 450 True [30z, 30x, 29y, 28z, 28x, 27y, 27z, 26x, 25y, 25z, 24x, 24y, 23z, 22x, 22y, 21z, 21x, 20y, 19z, 19x, 18y, 17x, 16y, 16z, 15x, 14y, 14z, 13x, 13y, 12z, 11x, 11y, 10z, 10x, 9y, 8z, 8x, 7y, 7z, 6x, 5y, 5z, 4x, 4y, 3z, 2x, 30y, 29z, 29x, 28y, 28z, 27x, 26y, 26z, 25x, 25y, 24z, 23x, 23y, 22z, 22x, 21y, 20z, 20x, 19y, 18z, 18x, 17y, 17z, 16x, 15y, 15z, 14x, 14y, 13z, 12x, 12y, 11z, 11x, 10y, 9z, 9x, 8y, 8z, 7x, 6y, 6z, 5x, 4z, 3x, 3y, 2y, 2z, 1z, 1x, 1y, 0x, 0y, 0z, 0x]
            KeyError 450 True [11, 42, 22, 2, 33, 13, 44, 24, 4, 35, 15, 46, 26, 6, 37, 17, 48, 28, 8, 39, 19, 30, 10, 41, 21, 1, 32, 12, 43, 23, 3, 34, 14, 45, 25, 5, 36, 16, 47, 27, 7, 38, 18, 49, 29, 9, 73, 53, 84, 64, 95, 75, 55, 86, 66, 97, 77, 57, 88, 68, 99, 79, 59, 90, 70, 50, 81, 61, 92, 72, 52, 83, 63, 94, 74, 54, 85, 65, 96, 76, 56, 87, 67, 98, 78, 58, 89, 69, 80, 60, 91, 40, 71, 20, 51, 82, 0, 31, 62, 93]
            KeyError 530 False [0x, 0y, 0z, 0x, 1z, 1x, 1y, 2x, 2y, 2z, 3z, 3x, 3y, 4x, 4y, 4z, 5y, 5z, 5x, 6x, 6y, 6z, 7y, 7z, 7x, 8z, 8x, 8y, 8z, 9y, 9z, 9x, 10z, 10x, 10y, 11x, 11y, 11z, 11x, 12z, 12x, 12y, 13x, 13y, 13z, 14y, 14z, 14x, 14y, 15x, 15y, 15z, 16y, 16z, 16x, 17x, 17y, 17z, 18y, 18z, 18x, 19z, 19x, 19y, 20y, 20z, 20x, 21z, 21x, 21y, 22x, 22y, 22z, 22x, 23z, 23x, 23y, 24x, 24y, 24z, 25y, 25z, 25x, 25y, 26x, 26y, 26z, 27y, 27z, 28z, 28x, 29y, 30z, 30x, 27x, 28y, 28z, 29z, 29x, 30y]
            KeyError 530 False [0, 31, 62, 93, 20, 51, 82, 9, 40, 71, 29, 60, 91, 18, 49, 80, 7, 38, 69, 27, 58, 89, 16, 47, 78, 5, 36, 67, 98, 25, 56, 87, 14, 45, 76, 3, 34, 65, 96, 23, 54, 85, 12, 43, 74, 1, 32, 63, 94, 21, 52, 83, 10, 41, 72, 30, 61, 92, 19, 50, 81, 8, 39, 70, 28, 59, 90, 17, 48, 79, 6, 37, 68, 99, 26, 57, 88, 15, 46, 77, 4, 35, 66, 97, 24, 55, 86, 13, 44, 2, 33, 22, 11, 42, 75, 64, 95, 53, 84, 73]
            len during sort 1
            len during sort 2
            len during sort 3
            len during sort 4
            list modified during sort [1b, 2c, 3a]
            2b 7b

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
