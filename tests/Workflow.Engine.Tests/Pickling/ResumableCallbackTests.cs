using Newtonsoft.Json.Linq;
using Workflow.Pickling;
using Workflow.Runtime;

namespace Workflow.Tests.Pickling;

/// <summary>
/// Built-ins that call back into script code run the callback as ordinary frames (their script
/// halves live in the prelude), so a callback may wait for a signal. Each case waits inside the
/// callback: the instance is pickled there, the VM dropped, and each resumption unpickles it,
/// delivers the signal and runs on. The output must equal that of the same program whose callback
/// does not wait at all.
/// </summary>
public class ResumableCallbackTests
{
    // `ask(x)` returns x: at once in the plain variant, after a signal "v<x>" carrying x in the waiting one.
    private const string Plain = "def ask(x):\n    return x\n";
    private const string Waiting = "def ask(x):\n    return await signal(\"v\" + str(x))\n";

    public static IEnumerable<object[]> Cases() => new[]
    {
        Case("sorted_key", "_sorted", "print(sorted([3, 1, 2], key=lambda v: -ask(v)))"),
        Case("list_sort_key", "_list_sort", "xs = [5, 2, 9, 1]\nxs.sort(key=lambda v: ask(v) % 3, reverse=True)\nprint(xs)"),
        Case("min_key", "_min_max", "print(min([4, 8, 6], key=lambda v: -ask(v)))"),
        Case("max_key", "_min_max", "print(max(['aa', 'b', 'cccc'], key=lambda s: ask(len(s))))"),
        Case("map", "_map", "print(list(map(lambda v: ask(v) * 10, [1, 2, 3])))"),
        Case("filter", "_filter", "print(list(filter(lambda v: ask(v) % 2, [1, 2, 3, 4, 5])))"),
        Case("init", "Box.__init__", "class Box:\n    def __init__(self, v):\n        self.v = ask(v) + 1\nprint(Box(41).v)"),
        Case("add_dunder", "_binary_op", "class M:\n    def __init__(self, v):\n        self.v = v\n    def __add__(self, other):\n        return M(self.v + ask(other))\nm = M(1)\nm += 2\nprint((m + 3).v)"),
        Case("radd_dunder", "_binary_op", "class M:\n    def __radd__(self, other):\n        return ask(other) * 2\nprint(5 + M())"),
        Case("lt_dunder", "_compare_op", "class V:\n    def __init__(self, v):\n        self.v = v\n    def __lt__(self, other):\n        return ask(self.v) < ask(other.v)\nif V(1) < V(2):\n    print('less')\nprint(V(3) < V(2))"),
        Case("eq_dunder", "_compare_op", "class V:\n    def __init__(self, v):\n        self.v = v\n    def __eq__(self, other):\n        return ask(self.v) == other.v\nprint(V(1) == V(1), V(1) != V(2))"),
        Case("getitem_dunder", "Grid.__getitem__", "class Grid:\n    def __getitem__(self, k):\n        return ask(k) * k\ng = Grid()\nprint(g[3], [g[i] for i in range(3)])"),
        Case("contains_dunder", "_contains_user", "class Bag:\n    def __contains__(self, x):\n        return ask(x) > 2\nprint(3 in Bag(), 1 not in Bag())"),
        Case("len_dunder", "_len", "class L:\n    def __len__(self):\n        return ask(7)\nprint(len(L()))"),
        Case("str_dunder", "_to_string", "class S:\n    def __str__(self):\n        return 'S' + str(ask(5))\nprint(str(S()))"),
        Case("repr_dunder", "_to_string", "class R:\n    def __repr__(self):\n        return 'R' + str(ask(6))\nprint(repr(R()))"),
        Case("user_iterator", "Count.__next__", "class Count:\n    def __init__(self):\n        self.n = 0\n    def __iter__(self):\n        return self\n    def __next__(self):\n        self.n += 1\n        if self.n > 3:\n            raise StopIteration\n        return ask(self.n)\nprint([x for x in Count()])"),
        Case("generator_into_sum", "_list", "def gen():\n    for i in range(4):\n        yield ask(i)\nprint(sum(gen()), sorted(gen(), reverse=True))"),
        // Implicit calls made by built-ins and instructions on plain containers and values.
        Case("hash_of_dict_key", "_dict_find", "class K:\n    def __init__(self, n):\n        self.n = n\n    def __hash__(self):\n        return ask(self.n) % 3\n    def __eq__(self, other):\n        return self.n == other.n\nd = {}\nd[K(1)] = 'one'\nd[K(4)] = 'four'\nprint(d[K(4)], K(1) in d, K(7) in d)\ndel d[K(1)]\nprint(len(d))"),
        Case("eq_of_dict_key", "_dict_find", "class K:\n    def __init__(self, n):\n        self.n = n\n    def __hash__(self):\n        return 1\n    def __eq__(self, other):\n        return ask(self.n) == other.n\nd = {K(1): 'a', K(2): 'b'}\nprint(d[K(2)])"),
        Case("lt_by_sorted", "_sort_keys", "class V:\n    def __init__(self, v):\n        self.v = v\n    def __lt__(self, other):\n        return ask(self.v) < other.v\n    def __repr__(self):\n        return 'V' + str(self.v)\nprint(sorted([V(3), V(1), V(2)]), sorted([V(1), V(2)], reverse=True))\nxs = [V(2), V(1)]\nxs.sort()\nprint(xs, min([V(5), V(4)]), max(V(1), V(9)))"),
        Case("eq_by_list_index", "_list_index", "class E:\n    def __init__(self, v):\n        self.v = v\n    def __eq__(self, other):\n        return ask(self.v) == other.v\nxs = [E(1), E(2), E(3)]\nprint(xs.index(E(2)))"),
        Case("eq_by_list_count_remove_in", "_list_count", "class E:\n    def __init__(self, v):\n        self.v = v\n    def __eq__(self, other):\n        return ask(self.v) == other.v\nxs = [E(1), E(2), E(2)]\nprint(xs.count(E(2)), E(3) in xs, [E(1)] == [E(1)])\nxs.remove(E(2))\nprint(len(xs))"),
        Case("repr_by_print_of_list", "_repr_into", "class R:\n    def __init__(self, v):\n        self.v = v\n    def __repr__(self):\n        return 'R' + str(ask(self.v))\nprint([R(1), (R(2),)], {'k': R(3)})\nprint(f'{[R(4)]}', str([R(5)]))"),
        Case("str_and_format_by_fstring", "_format_value", "class S:\n    def __str__(self):\n        return 'S' + str(ask(1))\n    def __format__(self, spec):\n        return spec + str(ask(2))\nprint(f'{S()} {S():>3} {S()!s}')"),
        Case("bool_dunder", "_truth", "class B:\n    def __init__(self, v):\n        self.v = v\n    def __bool__(self):\n        return ask(self.v) > 0\nif B(1):\n    print('yes')\nprint(not B(0), bool(B(2)))\nn = 0\nwhile B(3 - n):\n    n += 1\nprint(n)"),
        Case("bool_by_and_or", "_truth_marker", "class B:\n    def __init__(self, v):\n        self.v = v\n    def __bool__(self):\n        return ask(self.v) > 0\n    def __repr__(self):\n        return 'B' + str(self.v)\nprint(B(1) and 'x', B(0) and 'x', B(0) or 'y', B(2) or 'y')"),
        Case("len_in_truth_test", "_truth", "class L:\n    def __len__(self):\n        return ask(2)\nprint('full' if L() else 'empty')"),
        Case("next_by_unpacking", "_list", "class It:\n    def __init__(self):\n        self.n = 0\n    def __iter__(self):\n        return self\n    def __next__(self):\n        self.n += 1\n        if self.n > 2:\n            raise StopIteration\n        return ask(self.n)\na, b = It()\nfirst, *rest = It()\nprint(a, b, first, rest)"),
        Case("next_builtin", "It.__next__", "class It:\n    def __next__(self):\n        return ask(8)\nprint(next(It()), next(It(), 0))"),
        Case("setitem_delitem", "_setitem", "class Store:\n    def __init__(self):\n        self.d = {}\n    def __setitem__(self, k, v):\n        self.d[k] = ask(v)\n    def __delitem__(self, k):\n        ask(0)\n        del self.d[k]\ns = Store()\ns['a'] = 1\ns['b'] = 2\ndel s['a']\nprint(s.d)"),
        Case("unary_dunders", "Num.__neg__", "class Num:\n    def __init__(self, v):\n        self.v = v\n    def __neg__(self):\n        return ask(-self.v)\n    def __invert__(self):\n        return ask(~self.v)\n    def __abs__(self):\n        return ask(99)\nprint(-Num(3), ~Num(3), abs(Num(1)))"),
        Case("json_default", "_json_prepare", "import json\nclass P:\n    pass\nprint(json.dumps([P(), {'x': P()}], default=lambda o: ask(7)))"),
        Case("hash_builtin_of_tuple", "_hash", "class H:\n    def __hash__(self):\n        return ask(5)\nprint(hash(H()), hash((1, H())) == hash((1, 5)))"),
        Case("dict_get_pop_setdefault", "_dict_find", "class K:\n    def __init__(self, n):\n        self.n = n\n    def __hash__(self):\n        return ask(self.n)\n    def __eq__(self, other):\n        return self.n == other.n\n    def __repr__(self):\n        return 'K' + str(self.n)\nd = {K(1): 'a', K(2): 'b'}\nprint(d.get(K(1)), d.get(K(3), 'none'), d.setdefault(K(4), 'd'), d.pop(K(2)), d)"),
        Case("dict_update_fromkeys_constructor", "_dict_store_pairs", "class K:\n    def __init__(self, n):\n        self.n = n\n    def __hash__(self):\n        return ask(self.n)\n    def __eq__(self, other):\n        return self.n == other.n\n    def __repr__(self):\n        return 'K' + str(self.n)\nd = dict([(K(1), 'a')])\nd.update([(K(2), 'b')], x=1)\nprint(d, dict.fromkeys([K(3), K(3)]), dict(d))"),
        Case("format_by_str_format", "_str_format", "class F:\n    def __format__(self, spec):\n        return 'F' + str(ask(3)) + spec\n    def __str__(self):\n        return 'S' + str(ask(4))\nprint('{} {:>2} {!s}'.format(F(), F(), F()))"),
        Case("str_by_map_of_builtin", "_map", "class S:\n    def __init__(self, v):\n        self.v = v\n    def __str__(self):\n        return 'S' + str(ask(self.v))\nprint(list(map(str, [S(1), S(2)])), '-'.join(map(str, [S(3)])))"),
        Case("iter_by_enumerate_zip", "_enumerate_of", "class It:\n    def __iter__(self):\n        return iter([ask(1), 2])\nprint(list(enumerate(It())), list(zip(It(), It())))"),
        Case("repr_of_exception_and_view", "_repr_into", "class R:\n    def __repr__(self):\n        return 'R' + str(ask(2))\nprint(repr(ValueError(R())), {R(): 1}.keys(), str(KeyError(R())))"),
        Case("init_of_raised_class", "_raise_new", "class Late(Exception):\n    def __init__(self):\n        super().__init__('late ' + str(ask(3)))\ntry:\n    raise Late\nexcept Late as e:\n    print(e)\ntry:\n    raise Late from None\nexcept Late as e:\n    print(e, e.__suppress_context__)"),
        Case("json_loads_hooks", "_json_resolve", "import json\ndef hook(d):\n    d['n'] = ask(len(d))\n    return d\nprint(json.loads('[{\"a\": 1.5}, {\"b\": {\"c\": 2}}]', object_hook=hook, parse_float=lambda t: ask(int(float(t) * 2))))"),
        Case("sequence_protocol", "_sequence_iter", "class Seq:\n    def __len__(self):\n        return ask(2)\n    def __getitem__(self, i):\n        if i >= 2:\n            raise IndexError(i)\n        return ask(i + 5)\nprint(list(Seq()), list(reversed(Seq())))"),
        Case("truth_by_any_and_views", "_any", "class F:\n    def __init__(self, v):\n        self.v = v\n    def __bool__(self):\n        return ask(self.v) > 0\n    def __eq__(self, o):\n        return ask(self.v) == o.v\nprint(any([F(0), F(3)]), all([F(1), F(0)]), F(2) in {1: F(2)}.values(), (F(4), F(5)).index(F(5)))"),
        Case("builtin_key_and_pow", "_sorted", "class B:\n    def __init__(self, v):\n        self.v = v\n    def __len__(self):\n        return ask(self.v)\n    def __pow__(self, n):\n        return ask(self.v) ** n\nprint([b.v for b in sorted([B(3), B(1)], key=len)], max([B(2), B(5)], key=len).v, pow(B(2), 3))"),
        Case("any_all_enumerate_zip", "_any", "def gen(n):\n    for i in range(n):\n        yield ask(i)\nprint(any(x > 1 for x in gen(3)), all(gen(2)), list(enumerate(gen(2))), list(zip(gen(2), 'ab')))"),
    };

    private static object[] Case(string name, string frame, string body) => new object[] { name, frame, body };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_callback_that_waits_is_pickled_inside_the_builtin_and_resumes(string name, string builtinFrame, string body)
    {
        var expected = Run.Output(Plain + body + "\n");

        var program = WorkflowProgram.Compile(Waiting + body + "\n", name + ".wf");
        Assert.False(program.HasErrors, string.Join("\n", program.Diagnostics));
        var output = new StringWriter();
        var result = program.Run(null, output);
        var framesWhileWaiting = new HashSet<string>();
        int waits = 0;
        while (result.Status == ProgramStatus.Waiting)
        {
            Assert.True(++waits < 100, "too many waits");
            var stack = StackReport.Json(result.Pickle!);
            var tasklet = (JObject)Assert.Single((JArray)stack["tasklets"]!);
            var frames = ((JArray)tasklet["frames"]!).Select(f => (string)f["function"]!).ToList();
            Assert.Equal("ask", frames[^1]);
            framesWhileWaiting.UnionWith(frames);
            var signal = ((string)tasklet["waitingFor"]!).Split('\'')[1];
            result = program.Resume(result.Pickle!, new[] { (signal, signal[1..]) }, output);
        }
        Assert.True(result.Status == ProgramStatus.Completed, result.ErrorText);
        Assert.True(waits > 0, "the callback never waited");
        Assert.Contains(builtinFrame, framesWhileWaiting);
        Assert.Equal(expected, output.ToString());
    }
}
