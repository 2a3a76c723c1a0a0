namespace Workflow.Tests.Builtins;

/// <summary>dict methods and the dict constructor against CPython 3.11.</summary>
public class DictMethodsTests
{
    [Fact]
    public void Dict_methods_match_CPython_results()
    {
        var output = Run.Output("""
            print("start")
            e = {"x": 1, "y": 2, "z": 3}
            print(e.get("x"), e.get("q"), e.get("q", 0), e.get(1.0), e.get(True, "no"))
            print(e.keys(), e.values(), e.items())
            print(e.pop("x"), e.pop("x", None), e.popitem(), e)
            print(e.setdefault("y"), e.setdefault("n"), e.setdefault("m", []), e)
            e.setdefault("m", []).append(1)
            e.update({"y": 20, "a": 0}, b=1)
            e.update([("c", 2), ["d", 3]])
            print(e)
            f = e.copy()
            f["new"] = 1
            print(len(e), len(f), f.clear(), f)
            print({}.pop([], "default"), {1: "a"}.pop(1.0))
            """);
        Assert.Equal("""
            start
            1 None 0 None no
            dict_keys(['x', 'y', 'z']) dict_values([1, 2, 3]) dict_items([('x', 1), ('y', 2), ('z', 3)])
            1 None ('z', 3) {'y': 2}
            2 None [] {'y': 2, 'n': None, 'm': []}
            {'y': 20, 'n': None, 'm': [1], 'a': 0, 'b': 1, 'c': 2, 'd': 3}
            7 8 None {}
            default a

            """, output);
    }

    [Fact]
    public void Dict_method_errors_match_CPython()
    {
        var output = Run.Output("""
            print("start")
            def attempt(label, f):
                try:
                    print(label, repr(f()))
                except Exception as e:
                    print(label, type(e).__name__ + ":", e)
            d = {"a": 1}
            attempt("get0", lambda: d.get())
            attempt("get3", lambda: d.get(1, 2, 3))
            attempt("getkw", lambda: d.get(k=1))
            attempt("getlist", lambda: d.get([]))
            attempt("keys1", lambda: d.keys(1))
            attempt("pop0", lambda: d.pop())
            attempt("popmissing", lambda: d.pop("z"))
            attempt("poptuple", lambda: d.pop((1, 2)))
            attempt("popitem", lambda: {}.popitem())
            attempt("setdefault0", lambda: d.setdefault())
            attempt("update2", lambda: d.update({}, {}))
            """);
        Assert.Equal("""
            start
            get0 TypeError: get expected at least 1 argument, got 0
            get3 TypeError: get expected at most 2 arguments, got 3
            getkw TypeError: dict.get() takes no keyword arguments
            getlist TypeError: unhashable type: 'list'
            keys1 TypeError: dict.keys() takes no arguments (1 given)
            pop0 TypeError: pop expected at least 1 argument, got 0
            popmissing KeyError: 'z'
            poptuple KeyError: (1, 2)
            popitem KeyError: 'popitem(): dictionary is empty'
            setdefault0 TypeError: setdefault expected at least 1 argument, got 0
            update2 TypeError: update expected at most 1 argument, got 2

            """, output);
    }

    [Fact]
    public void Update_and_the_constructor_accept_mappings_and_pairs_and_name_the_bad_element()
    {
        var output = Run.Output("""
            print("start")
            def attempt(label, f):
                try:
                    print(label, repr(f()))
                except Exception as e:
                    print(label, type(e).__name__ + ":", e)
            class Mapping:
                def keys(self):
                    return ["x", "y"]
                def __getitem__(self, k):
                    return k * 2
            attempt("empty", lambda: dict())
            attempt("kw", lambda: dict(b=1, a=2))
            attempt("pairs", lambda: dict([("a", 1), ["b", 2], "cd", range(2)], e=5))
            attempt("mapping", lambda: dict(Mapping(), x=5))
            attempt("dictkw", lambda: dict({"a": 1}, a=2))
            attempt("equalkeys", lambda: dict([(1, "a"), (1.0, "b"), (True, "c")]))
            attempt("gen", lambda: dict((i, i * i) for i in range(3)))
            attempt("two", lambda: dict({}, {}))
            attempt("int", lambda: dict(1))
            attempt("none", lambda: dict(None))
            attempt("notseq", lambda: dict([(1, 2), 5]))
            attempt("len3", lambda: dict([(1, 2), (1, 2, 3)]))
            attempt("len1", lambda: dict(["a"]))
            attempt("unhashable", lambda: dict([([], 1)]))
            attempt("update1", lambda: {}.update([1]))
            attempt("updatestr", lambda: {}.update("ab"))
            """);
        Assert.Equal("""
            start
            empty {}
            kw {'b': 1, 'a': 2}
            pairs {'a': 1, 'b': 2, 'c': 'd', 0: 1, 'e': 5}
            mapping {'x': 5, 'y': 'yy'}
            dictkw {'a': 2}
            equalkeys {1: 'c'}
            gen {0: 0, 1: 1, 2: 4}
            two TypeError: dict expected at most 1 argument, got 2
            int TypeError: 'int' object is not iterable
            none TypeError: 'NoneType' object is not iterable
            notseq TypeError: cannot convert dictionary update sequence element #1 to a sequence
            len3 ValueError: dictionary update sequence element #1 has length 3; 2 is required
            len1 ValueError: dictionary update sequence element #0 has length 1; 2 is required
            unhashable TypeError: unhashable type: 'list'
            update1 TypeError: cannot convert dictionary update sequence element #0 to a sequence
            updatestr ValueError: dictionary update sequence element #0 has length 1; 2 is required

            """, output);
    }
}
