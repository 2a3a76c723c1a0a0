using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Workflow.Syntax;
using Attribute = Workflow.Syntax.Attribute;

namespace Workflow.Compiler;

/// <summary>
/// Works out, for every scope of a module, which names are local, captured (cells), free or global,
/// following CPython's symtable: a name assigned anywhere in a function is local to it unless
/// declared global or nonlocal; a name read but not bound resolves to the nearest enclosing function
/// that binds it (class bodies are skipped), which then keeps it in a cell. It recurses once per
/// level of the tree, which the parser keeps within NestingLimits; the methods on that recursion
/// are compiled optimized at once (AggressiveOptimization, see there).
/// </summary>
internal sealed class ScopeAnalyzer
{
    private readonly Dictionary<Node, Scope> _scopes = new(ReferenceEqualityComparer.Instance);
    private readonly List<Diagnostic> _diagnostics;
    private readonly string _file;
    private Scope _current = null!;
    /// <summary>Loops enclosing the statement being visited, within the current function.</summary>
    private int _loopDepth;
    /// <summary>Where each nonlocal name was declared, for the error when nothing binds it.</summary>
    private readonly Dictionary<(Scope, string), Node> _nonlocalAt = new();

    private ScopeAnalyzer(string file, List<Diagnostic> diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Analyzes [module]; returns the module scope and a map from scope-making nodes to their scopes.</summary>
    public static (Scope Module, Dictionary<Node, Scope> Scopes) Analyze(ModuleNode module, List<Diagnostic> diagnostics)
    {
        var analyzer = new ScopeAnalyzer(module.FileName, diagnostics);
        var root = new Scope(ScopeKind.Module, "<module>", null);
        analyzer._current = root;
        analyzer.VisitBody(module.Body);
        analyzer.Resolve(root);
        return (root, analyzer._scopes);
    }

    private void Error(Node node, string message) => _diagnostics.Add(new Diagnostic(_file, node.Line, node.Col, message));

    // ---------------------------------------------------------------- pass 1: collect bindings and uses

    [MethodImpl(AggressiveOptimization)]
    private void VisitBody(List<Stmt> body)
    {
        foreach (var s in body) Visit(s);
    }

    [MethodImpl(AggressiveOptimization)]
    private void Visit(Stmt stmt)
    {
        // The parser keeps the tree within NestingLimits; this only turns a bug there into a
        // compile error instead of a stack overflow (see ModuleCompiler).
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (stmt)
        {
            case ExprStmt e: Visit(e.Value); break;
            case Assign a:
                foreach (var t in a.Targets) BindTarget(t);
                Visit(a.Value);
                break;
            case AugAssign a:
                BindTarget(a.Target);
                if (a.Target is Name n) _current.Used.Add(n.Id);
                Visit(a.Value);
                break;
            case If i: VisitIf(i); break;
            case While w: Visit(w.Test); VisitLoopBody(w.Body); VisitBody(w.OrElse); break;
            case For f: BindTarget(f.Target); Visit(f.Iter); VisitLoopBody(f.Body); VisitBody(f.OrElse); break;
            case Break b: if (_loopDepth == 0) Error(b, "'break' outside loop"); break;
            case Continue c: if (_loopDepth == 0) Error(c, "'continue' not properly in loop"); break;
            case FunctionDef f:
                VisitDefaults(f.Args);
                _current.Bind(f.Name);
                VisitFunction(f, f.Name, f.Args, f.Body, null);
                break;
            case ClassDef c:
                foreach (var b in c.Bases) Visit(b);
                _current.Bind(c.Name);
                var classScope = new Scope(ScopeKind.Class, c.Name, _current);
                _scopes[c] = classScope;
                var saved = _current;
                var savedLoops = _loopDepth;
                _current = classScope;
                _loopDepth = 0;
                VisitBody(c.Body);
                _current = saved;
                _loopDepth = savedLoops;
                break;
            case Return r:
                if (!_current.IsFunctionLike) Error(r, "'return' outside function");
                if (r.Value != null) Visit(r.Value);
                break;
            case Try t:
                VisitBody(t.Body);
                foreach (var h in t.Handlers)
                {
                    if (h.Type != null) Visit(h.Type);
                    if (h.Name != null) _current.Bind(h.Name);
                    VisitBody(h.Body);
                }
                VisitBody(t.OrElse);
                VisitBody(t.FinalBody);
                break;
            case Raise r:
                if (r.Exc != null) Visit(r.Exc);
                if (r.Cause != null) Visit(r.Cause);
                break;
            case Assert a: Visit(a.Test); if (a.Msg != null) Visit(a.Msg); break;
            case Delete d: foreach (var t in d.Targets) BindTarget(t); break;
            case Global g:
                foreach (var name in g.Names)
                {
                    if (_current.BoundSet.Contains(name) || _current.Used.Contains(name))
                        Error(g, $"name '{name}' is used prior to global declaration");
                    _current.DeclaredGlobal.Add(name);
                }
                break;
            case Nonlocal nl:
                if (_current.Kind == ScopeKind.Module) Error(nl, "nonlocal declaration not allowed at module level");
                foreach (var name in nl.Names)
                {
                    _current.DeclaredNonlocal.Add(name);
                    _nonlocalAt.TryAdd((_current, name), nl);
                }
                break;
            case Import im:
                foreach (var alias in im.Names) _current.Bind(alias.AsName ?? alias.Name.Split('.')[0]);
                break;
            case ImportFrom im:
                foreach (var alias in im.Names)
                {
                    if (alias.Name == "*") Error(alias, "'import *' is not supported");
                    else _current.Bind(alias.AsName ?? alias.Name);
                }
                break;
            case Pass: break;
            default: Error(stmt, $"unsupported statement {stmt.GetType().Name}"); break;
        }
    }

    // An elif chain nests each If in the OrElse of the one before, as deep as the chain is long
    // (the parser does not limit it): a loop walks it, not a recursion.
    [MethodImpl(AggressiveOptimization)]
    private void VisitIf(If i)
    {
        while (true)
        {
            Visit(i.Test);
            VisitBody(i.Body);
            if (i.OrElse is not [If elif])
                break;
            i = elif;
        }
        VisitBody(i.OrElse);
    }

    [MethodImpl(AggressiveOptimization)]
    private void VisitLoopBody(List<Stmt> body)
    {
        _loopDepth++;
        VisitBody(body);
        _loopDepth--;
    }

    [MethodImpl(AggressiveOptimization)]
    private void VisitDefaults(Arguments args)
    {
        foreach (var p in args.Positional) if (p.Default != null) Visit(p.Default);
        foreach (var p in args.KwOnly) if (p.Default != null) Visit(p.Default);
    }

    [MethodImpl(AggressiveOptimization)]
    private void VisitFunction(Node node, string name, Arguments args, List<Stmt>? body, Expr? lambdaBody)
    {
        var scope = new Scope(ScopeKind.Function, name, _current);
        _scopes[node] = scope;
        foreach (var p in args.Positional) AddParameter(scope, p.Name, p);
        foreach (var p in args.KwOnly) AddParameter(scope, p.Name, p);
        if (args.VarArg != null) AddParameter(scope, args.VarArg, node);
        if (args.KwArg != null) AddParameter(scope, args.KwArg, node);
        var saved = _current;
        var savedLoops = _loopDepth;
        _current = scope;
        _loopDepth = 0;
        if (body != null) VisitBody(body);
        if (lambdaBody != null) Visit(lambdaBody);
        _current = saved;
        _loopDepth = savedLoops;
    }

    private void AddParameter(Scope scope, string name, Node at)
    {
        if (scope.Parameters.Contains(name)) Error(at, $"duplicate argument '{name}' in function definition");
        scope.Parameters.Add(name);
        scope.Bind(name);
    }

    [MethodImpl(AggressiveOptimization)]
    private void BindTarget(Expr target)
    {
        switch (target)
        {
            case Name n: _current.Bind(n.Id); break;
            case TupleExpr t: foreach (var e in t.Elts) BindTarget(e); break;
            case ListExpr l: foreach (var e in l.Elts) BindTarget(e); break;
            case Starred s: BindTarget(s.Value); break;
            case Attribute a: Visit(a.Value); break;
            case Subscript s: Visit(s.Value); Visit(s.Index); break;
            default: Error(target, "cannot assign to expression"); break;
        }
    }

    [MethodImpl(AggressiveOptimization)]
    private void Visit(Expr expr)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expr)
        {
            case Name n: _current.Used.Add(n.Id); break;
            case Constant: break;
            case JoinedStr j: foreach (var v in j.Values) Visit(v); break;
            case FormattedValue f: Visit(f.Value); if (f.FormatSpec != null) Visit(f.FormatSpec); break;
            case BinOp b: Visit(b.Left); Visit(b.Right); break;
            case UnaryOp u: Visit(u.Operand); break;
            case BoolOp b: foreach (var v in b.Values) Visit(v); break;
            case Compare c: Visit(c.Left); foreach (var v in c.Comparators) Visit(v); break;
            case IfExp i: Visit(i.Test); Visit(i.Body); Visit(i.OrElse); break;
            case Lambda l:
                VisitDefaults(l.Args);
                VisitFunction(l, "<lambda>", l.Args, null, l.Body);
                break;
            case Call c:
                Visit(c.Func);
                foreach (var a in c.Args) Visit(a);
                foreach (var k in c.Keywords) Visit(k.Value);
                if (c.Func is Name { Id: "super" } && c.Args.Count == 0) MarkSuper();
                break;
            case Attribute a: Visit(a.Value); break;
            case Subscript s: Visit(s.Value); Visit(s.Index); break;
            case Slice s:
                if (s.Lower != null) Visit(s.Lower);
                if (s.Upper != null) Visit(s.Upper);
                if (s.Step != null) Visit(s.Step);
                break;
            case Starred s: Visit(s.Value); break;
            case ListExpr l: foreach (var e in l.Elts) Visit(e); break;
            case TupleExpr t: foreach (var e in t.Elts) Visit(e); break;
            case DictExpr d:
                foreach (var k in d.Keys) if (k != null) Visit(k);
                foreach (var v in d.Values) Visit(v);
                break;
            case ListComp lc: VisitComprehension(lc, lc.Generators, () => Visit(lc.Elt), false); break;
            case DictComp dc: VisitComprehension(dc, dc.Generators, () => { Visit(dc.Key); Visit(dc.Value); }, false); break;
            case GeneratorExp ge: VisitComprehension(ge, ge.Generators, () => Visit(ge.Elt), true); break;
            case Yield y:
                MarkGenerator(y);
                if (y.Value != null) Visit(y.Value);
                break;
            case YieldFrom y:
                MarkGenerator(y);
                Visit(y.Value);
                break;
            case Await a: Visit(a.Value); break;
            default: Error(expr, $"unsupported expression {expr.GetType().Name}"); break;
        }
    }

    private void MarkGenerator(Expr at)
    {
        if (_current.Kind == ScopeKind.Function) _current.IsGenerator = true;
        else if (_current.Kind == ScopeKind.Comprehension) Error(at, "'yield' inside comprehension");
        else Error(at, "'yield' outside function");
    }

    private void MarkSuper()
    {
        if (_current.Kind == ScopeKind.Function && _current.Parent?.Kind == ScopeKind.Class)
            _current.UsesSuper = true;
    }

    /// <summary>
    /// A comprehension is a function of its own whose single parameter `.0` is the iterator over the
    /// outermost iterable; that iterable is evaluated in the enclosing scope, as in CPython.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private void VisitComprehension(Expr node, List<Comprehension> generators, Action visitElement, bool isGenerator)
    {
        Visit(generators[0].Iter);
        var scope = new Scope(ScopeKind.Comprehension, node switch
        {
            ListComp => "<listcomp>",
            DictComp => "<dictcomp>",
            _ => "<genexpr>",
        }, _current);
        scope.IsGenerator = isGenerator;
        _scopes[node] = scope;
        scope.Parameters.Add(".0");
        scope.Bind(".0");
        var saved = _current;
        _current = scope;
        for (int i = 0; i < generators.Count; i++)
        {
            var g = generators[i];
            if (i > 0) Visit(g.Iter);
            BindTarget(g.Target);
            foreach (var cond in g.Ifs) Visit(cond);
        }
        visitElement();
        _current = saved;
    }

    // ---------------------------------------------------------------- pass 2: resolve free variables

    private void Resolve(Scope scope)
    {
        if (scope.Kind != ScopeKind.Module)
        {
            foreach (var name in scope.DeclaredNonlocal)
            {
                if (FindEnclosingBinder(scope.Parent, name) == null)
                    Error(_nonlocalAt[(scope, name)], $"no binding for nonlocal '{name}' found");
                scope.BoundSet.Remove(name);
                scope.Bound.Remove(name);
                AddFree(scope, name);
            }
            if (scope.UsesSuper) AddFree(scope, "__class__");
            foreach (var name in scope.Used)
            {
                if (scope.BoundSet.Contains(name) || scope.DeclaredGlobal.Contains(name) || scope.FreeNames.Contains(name)) continue;
                if (FindEnclosingBinder(scope.Parent, name) != null) AddFree(scope, name);
            }
        }
        foreach (var child in scope.Children) Resolve(child);
    }

    /// <summary>The nearest enclosing function scope that binds [name] locally; class bodies do not count.</summary>
    private static Scope? FindEnclosingBinder(Scope? scope, string name)
    {
        for (var s = scope; s != null && s.Kind != ScopeKind.Module; s = s.Parent)
        {
            if (s.Kind == ScopeKind.Class)
            {
                if (name == "__class__") return s;
                continue;
            }
            if (s.DeclaredGlobal.Contains(name)) return null;
            if (s.BoundSet.Contains(name) && !s.DeclaredNonlocal.Contains(name)) return s;
            if (s.DeclaredNonlocal.Contains(name)) continue;
        }
        return null;
    }

    /// <summary>Makes [name] free in [scope] and in every scope between it and the binder, which gets the cell.</summary>
    private static void AddFree(Scope scope, string name)
    {
        if (!scope.FreeNames.Contains(name)) scope.FreeNames.Add(name);
        for (var s = scope.Parent; s != null && s.Kind != ScopeKind.Module; s = s.Parent)
        {
            if (s.Kind == ScopeKind.Class)
            {
                if (name == "__class__")
                {
                    if (!s.CellNames.Contains(name)) s.CellNames.Add(name);
                    return;
                }
                if (!s.FreeNames.Contains(name)) s.FreeNames.Add(name);
                continue;
            }
            if (s.BoundSet.Contains(name) && !s.DeclaredNonlocal.Contains(name))
            {
                if (!s.CellNames.Contains(name)) s.CellNames.Add(name);
                return;
            }
            if (!s.FreeNames.Contains(name)) s.FreeNames.Add(name);
        }
    }
}
