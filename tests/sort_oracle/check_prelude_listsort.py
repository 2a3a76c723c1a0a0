#!/usr/bin/env python3
"""Checks the prelude's listsort (engine/Builtins/Prelude.wf) against CPython's own list.sort.

The prelude's sort is plain Python, so python3 runs it as is. For many inputs (random ints, many
duplicates, ascending and descending runs, sizes 0..3000; with and without a key list, reverse or
not) both sorts compare instances of a class whose __lt__ logs each call; they must make the same
calls in the same order and end in the same order. They must also agree when __lt__ answers at
random (an inconsistent comparison reaches the branches a sane one never does) and when __lt__
raises at its k-th call (the list is then left in the same permutation), and when __lt__ answers
NotImplemented (CPython then calls it again, through a full `<`, when every key has the same class:
its pre-sort check), with keys of one class and of two, and with keys that are tuples whose first
items are of one class (CPython's unsafe_tuple_compare) or of two.

Usage: python3 tests/sort_oracle/check_prelude_listsort.py [--quick]
"""
import os
import random
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
PRELUDE = os.path.join(HERE, "..", "..", "engine", "Builtins", "Prelude.wf")
START = "def _sort_keys(items, keys, reverse):"
END = "# ---- end of listsort ----"


def presort_check(keys):
    """The engine's __sort_presort_check: (the __lt__ of the one class of every key, or of every
    key's first item when all are non-empty tuples, when it is a user function; in tuples) or None."""
    in_tuples = type(keys[0]) is tuple and len(keys[0]) > 0
    if in_tuples and any(type(key) is not tuple or len(key) == 0 for key in keys):
        return None
    items = [key[0] for key in keys] if in_tuples else keys
    cls = type(items[0])
    if any(type(item) is not cls for item in items):
        return None
    for klass in cls.__mro__:
        if "__lt__" in klass.__dict__:
            method = klass.__dict__["__lt__"]
            return (method, in_tuples) if isinstance(method, types.FunctionType) else None
    return None


def load_prelude_sort():
    text = open(PRELUDE, encoding="utf-8").read()
    begin = text.index(START)
    end = text.index(END, begin)
    namespace = {"__sort_without_script": lambda items, keys, reverse: False, "__sort_presort_check": presort_check}
    exec(compile(text[begin:end], PRELUDE, "exec"), namespace)
    return namespace["_sort_keys"]


sort_keys = load_prelude_sort()


class Stop(Exception):
    pass


class Judge:
    """Decides comparisons and records them: by value, at random, or raising at call [fail_at].
    In mode "not implemented", __lt__ answers NotImplemented every third call, and __gt__ answers."""

    def __init__(self, mode, seed=0, fail_at=-1):
        self.mode = mode
        self.random = random.Random(seed)
        self.fail_at = fail_at
        self.log = []

    def less(self, a, b):
        self.log.append(("lt", a.tag, b.tag))
        if len(self.log) == self.fail_at:
            raise Stop()
        if self.mode == "random":
            return self.random.random() < 0.5
        if self.mode == "not implemented" and len(self.log) % 3 == 0:
            return NotImplemented
        return a.v < b.v

    def greater(self, a, b):
        self.log.append(("gt", a.tag, b.tag))
        return a.v > b.v

    def equal(self, a, b):
        self.log.append(("eq", a.tag, b.tag))
        return a.v == b.v


class Item:
    __slots__ = ("v", "tag", "judge")

    def __init__(self, v, tag, judge):
        self.v = v
        self.tag = tag
        self.judge = judge

    def __lt__(self, other):
        return self.judge.less(self, other)

    def __gt__(self, other):
        return self.judge.greater(self, other)

    def __eq__(self, other):
        return self.judge.equal(self, other)


class OtherItem(Item):
    """Mixed with Item, the keys are no longer of one class: every comparison is a full `<`."""
    __slots__ = ()


def run(values, use_keys, reverse, mode, seed=0, fail_at=-1, mixed=False, tuples=False, engine="cpython"):
    """Sorts items holding [values] (in tuples (item, i % 2) when [tuples]); returns (the
    comparisons, the final order of tags, failed)."""
    judge = Judge(mode, seed, fail_at)
    make_item = lambda i: (OtherItem if mixed and i % 5 == 1 else Item)(values[i], i, judge)
    make = (lambda i: (make_item(i), i % 2)) if tuples else make_item
    if use_keys:
        items = list(range(len(values)))
        make_key = make
    else:
        items = [make(i) for i in range(len(values))]
    failed = False
    try:
        if engine == "cpython":
            if use_keys:
                items.sort(key=make_key, reverse=reverse)
            else:
                items.sort(reverse=reverse)
        else:
            keys = [make_key(i) for i in items] if use_keys else None
            sort_keys(items, keys, reverse)
    except Stop:
        failed = True
    order = items if use_keys else [(item[0] if tuples else item).tag for item in items]
    return judge.log, order, failed


def inputs(rng, quick):
    sizes = list(range(0, 70)) + [rng.randrange(70, 3001) for _ in range(15 if quick else 80)] + [128, 129, 255, 256, 1000, 3000]
    for n in sizes:
        yield "random ints", [rng.randrange(1 << 30) for _ in range(n)]
        yield "many duplicates", [rng.randrange(4) for _ in range(n)]
        runs = []
        while len(runs) < n:
            length = rng.randrange(1, 200)
            start = rng.randrange(1000)
            step = rng.choice([1, -1, 0])
            runs.extend(start + step * i for i in range(length))
        yield "runs", runs[:n]
        yield "ascending", list(range(n))
        yield "descending", list(range(n, 0, -1))
        yield "sawtooth", [i % 37 for i in range(n)]


def main():
    quick = "--quick" in sys.argv
    rng = random.Random(20261207)
    cases = comparisons = 0
    for kind, values in inputs(rng, quick):
        for use_keys in (False, True):
            for reverse in (False, True):
                checks = [("by value", {})]
                checks.append(("random answers", {"mode": "random", "seed": rng.randrange(1 << 30)}))
                checks.append(("NotImplemented", {"mode": "not implemented"}))
                checks.append(("mixed classes", {"mixed": True}))
                checks.append(("mixed classes, NotImplemented", {"mixed": True, "mode": "not implemented"}))
                checks.append(("tuples", {"tuples": True}))
                checks.append(("tuples, NotImplemented", {"tuples": True, "mode": "not implemented"}))
                checks.append(("tuples of mixed classes, NotImplemented", {"tuples": True, "mixed": True, "mode": "not implemented"}))
                expected_log, _, _ = run(values, use_keys, reverse, "value")
                if expected_log:
                    checks.append(("raising", {"mode": "value", "fail_at": rng.randrange(1, len(expected_log) + 1)}))
                for name, options in checks:
                    options = dict({"mode": "value"}, **options)
                    expected = run(values, use_keys, reverse, engine="cpython", **options)
                    actual = run(values, use_keys, reverse, engine="prelude", **options)
                    cases += 1
                    comparisons += len(expected[0])
                    if actual != expected:
                        where = next((i for i, (x, y) in enumerate(zip(actual[0], expected[0])) if x != y), min(len(actual[0]), len(expected[0])))
                        print(f"MISMATCH: {kind}, n={len(values)}, keys={use_keys}, reverse={reverse}, {name} {options}: "
                              f"comparisons {len(actual[0])} vs CPython's {len(expected[0])}, first difference at {where}; "
                              f"orders equal: {actual[1] == expected[1]}; failed {actual[2]} vs {expected[2]}")
                        return 1
    print(f"ok: {cases} sorts, {comparisons} comparisons, each the same as CPython's list.sort, in the same order, with the same result")
    return 0


if __name__ == "__main__":
    sys.exit(main())
