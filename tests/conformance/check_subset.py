#!/usr/bin/env python3
"""Lint the conformance corpus: every .wf must stay inside the subset of LANGUAGE.md.

Usage: python3 check_subset.py FILE.wf ...   (exit 1 and one line per problem if any)

This is a safety net, not a proof: it catches the constructs that are easy to slip in by
accident (imports other than json, set displays, `with`, decorators, walrus, match, async,
`%` on a string literal, slice assignment or deletion, `print(file=...)`, `__class__`,
`type(x)` used for anything but `type(x).__name__`, `is` against an int/str literal,
unlisted builtins, tabs, raw/bytes literals, and in python/ a top-level `main`, which the
engine would call).  Method names and what `hash()` is applied to are checked by review.
"""

import ast
import io
import os
import sys
import tokenize

ALLOWED_BUILTINS = {
    'print', 'len', 'range', 'str', 'repr', 'int', 'float', 'bool', 'list', 'tuple', 'dict',
    'sorted', 'reversed', 'enumerate', 'zip', 'map', 'filter', 'sum', 'min', 'max', 'abs',
    'round', 'divmod', 'pow', 'isinstance', 'type', 'iter', 'next', 'any', 'all', 'hasattr',
    'getattr', 'chr', 'ord', 'hash', 'super', 'None', 'True', 'False',
    'Exception', 'ValueError', 'TypeError', 'KeyError', 'IndexError', 'ZeroDivisionError',
    'AttributeError', 'NameError', 'RuntimeError', 'StopIteration', 'AssertionError',
    'NotImplementedError', 'OverflowError',
    # format(): user __format__ methods get their spec from format() as from f-strings
    # (fstrings_format/user_format_spec.wf).
    'format',
    # GeneratorExit: what a generator closed by the for loop owning it sees at its yield
    # (generators/close_on_break.wf).
    'GeneratorExit',
    # The dunder protocol: a method returns it to let the other operand try (classes/notimplemented_*).
    'NotImplemented',
}
STACKLESS_BUILTINS = {'spawn', 'channel', 'schedule', 'ChannelClosedError', 'DeadlockError'}


def bound_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split('.')[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def check(path, stackless):
    problems = []

    def bad(node, msg):
        problems.append('%s:%s: %s' % (path, getattr(node, 'lineno', 0), msg))

    with open(path, encoding='utf-8') as f:
        source = f.read()
    for i, line in enumerate(source.split('\n'), 1):
        if '\t' in line:
            problems.append('%s:%d: tab character' % (path, i))
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            prefix = tok.string[:tok.string.index(tok.string[-1])].lower()
            if 'r' in prefix or 'b' in prefix or 'u' in prefix:
                problems.append('%s:%d: string prefix %r' % (path, tok.start[0], prefix))
    tree = ast.parse(source, filename=path)
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    allowed = ALLOWED_BUILTINS | (STACKLESS_BUILTINS if stackless else set())
    bound = bound_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name != 'json' or a.asname:
                    bad(node, 'import of %s' % a.name)
        elif isinstance(node, ast.ImportFrom):
            bad(node, 'from-import')
        elif isinstance(node, (ast.Set, ast.SetComp)):
            bad(node, 'set display')
        elif isinstance(node, (ast.With, ast.AsyncWith, ast.AsyncFor, ast.AsyncFunctionDef,
                               ast.NamedExpr, ast.Match)):
            bad(node, type(node).__name__)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.decorator_list:
            bad(node, 'decorator')
        elif isinstance(node, ast.ClassDef) and (len(node.bases) > 1 or node.keywords):
            bad(node, 'multiple inheritance / class keywords')
        elif isinstance(node, ast.Await) and not stackless:
            bad(node, 'await outside the stackless corpus')
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            if (isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)) \
                    or isinstance(node.left, ast.JoinedStr):
                bad(node, '% string formatting')
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) \
                and isinstance(node.ctx, (ast.Store, ast.Del)):
            bad(node, 'slice assignment/deletion')
        elif isinstance(node, ast.Attribute) and node.attr == '__class__':
            bad(node, '__class__')
        elif isinstance(node, ast.Compare):
            operands = [node.left] + node.comparators
            for i, op in enumerate(node.ops):
                if isinstance(op, (ast.Is, ast.IsNot)):
                    for side in (operands[i], operands[i + 1]):
                        if isinstance(side, ast.Constant) and side.value is not None \
                                and not isinstance(side.value, bool):
                            bad(node, '`is` against a literal')
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name == 'print' and any(k.arg not in ('sep', 'end') for k in node.keywords):
                bad(node, 'print keyword other than sep/end')
            if name == 'type' and name not in bound:
                p = parents.get(node)
                if not (isinstance(p, ast.Attribute) and p.attr == '__name__'):
                    bad(node, 'type(x) not followed by .__name__')
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            # Names starting with 'undefined' are deliberately unbound (NameError tests).
            if node.id not in bound and node.id not in allowed and node.id != 'json' \
                    and not node.id.startswith('undefined'):
                bad(node, 'name %r is not a subset builtin' % node.id)
        elif isinstance(node, ast.FunctionDef) and not stackless and node.name == 'main' \
                and parents.get(node) is tree:
            bad(node, 'top-level main in a plain Python program (the engine would call it)')
    return problems


def main(argv):
    problems = []
    for path in argv[1:]:
        stackless = '/stackless/' in os.path.abspath(path).replace('\\', '/')
        problems.extend(check(path, stackless))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
