using System.Numerics;
using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Workflow.Syntax;
using Attribute = Workflow.Syntax.Attribute;
using Workflow.Values;

namespace Workflow.Compiler;

/// <summary>
/// Compiles a module's syntax tree to code objects. It follows CPython 3.11's compile.c closely:
/// exception tables instead of a block stack, finally bodies inlined on the normal path and on
/// every `return`/`break`/`continue` that leaves them, comprehensions as nested functions.
/// It recurses once per level of the tree, which the parser keeps within NestingLimits; the
/// methods on that recursion are compiled optimized at once (AggressiveOptimization, see there).
/// </summary>
internal sealed class CodeGen
{
    private readonly string _file;
    private readonly string _moduleName;
    private readonly Dictionary<Node, Scope> _scopes;
    private readonly List<Diagnostic> _diagnostics;
    private readonly HashSet<string> _qualifiedNames = new();
    private CodeUnit _u = null!;

    private CodeGen(string file, string moduleName, Dictionary<Node, Scope> scopes, List<Diagnostic> diagnostics)
    {
        _file = file;
        _moduleName = moduleName;
        _scopes = scopes;
        _diagnostics = diagnostics;
    }

    /// <summary>Compiles [module]; on errors returns null and fills [diagnostics].</summary>
    public static CodeObject? CompileModule(ModuleNode module, string moduleName, List<Diagnostic> diagnostics)
    {
        var before = diagnostics.Count;
        var (root, scopes) = ScopeAnalyzer.Analyze(module, diagnostics);
        if (diagnostics.Count > before) return null;
        var gen = new CodeGen(module.FileName, moduleName, scopes, diagnostics);
        var code = gen.CompileUnit(root, "<module>", "<module>", 1, () =>
        {
            gen.Body(module.Body);
        });
        return diagnostics.Count > before ? null : code;
    }

    private void Error(Node node, string message) => _diagnostics.Add(new Diagnostic(_file, node.Line, node.Col, message));

    private Emitter E => _u.Emitter;

    // ---------------------------------------------------------------- code units

    [MethodImpl(AggressiveOptimization)]
    private CodeObject CompileUnit(Scope scope, string name, string qualifiedName, int firstLine, Action body, Arguments? args = null)
    {
        var saved = _u;
        _u = new CodeUnit(scope, name, UniqueQualifiedName(qualifiedName));
        E.Line = firstLine;
        var cellParameterSlots = new List<int>();
        int positional = 0, kwOnly = 0;
        bool varArgs = false, varKw = false;
        if (scope.Kind == ScopeKind.Comprehension)
        {
            _u.Local(".0");
            positional = 1;
        }
        if (args != null)
        {
            foreach (var p in args.Positional) _u.Local(p.Name);
            foreach (var p in args.KwOnly) _u.Local(p.Name);
            if (args.VarArg != null) _u.Local(args.VarArg);
            if (args.KwArg != null) _u.Local(args.KwArg);
            positional = args.Positional.Count;
            kwOnly = args.KwOnly.Count;
            varArgs = args.VarArg != null;
            varKw = args.KwArg != null;
        }
        if (scope.IsFunctionLike)
            foreach (var n in scope.Bound)
                if (scope.Access(n) == NameAccess.Fast) _u.Local(n);
        foreach (var cell in scope.CellNames)
            cellParameterSlots.Add(scope.Parameters.Contains(cell) ? _u.Local(cell) : -1);

        body();
        if (E.Reachable)
        {
            E.Emit(OpCode.LoadConst, _u.Constant(PyNone.Value));
            E.Emit(OpCode.ReturnValue);
        }

        var code = new CodeObject
        {
            Name = name,
            QualifiedName = _u.QualifiedName,
            FileName = _file,
            ModuleName = _moduleName,
            FirstLine = firstLine,
            Instructions = E.Code.ToArray(),
            Lines = E.Lines.ToArray(),
            Constants = _u.Constants,
            Names = _u.Names,
            LocalNames = _u.Locals.ToArray(),
            CellNames = scope.CellNames.ToArray(),
            FreeNames = scope.FreeNames.ToArray(),
            CellParameterSlots = cellParameterSlots.ToArray(),
            PositionalCount = positional,
            KwOnlyCount = kwOnly,
            HasVarArgs = varArgs,
            HasVarKeywords = varKw,
            IsGenerator = scope.IsGenerator,
            IsClassBody = scope.Kind == ScopeKind.Class,
            HandlerOf = E.HandlerOf.ToArray(),
            Handlers = E.FinishHandlers(),
            MaxStack = E.MaxDepth + 1,
            ResumeSites = E.AllResumeSites(),
        };
        Liveness.Annotate(code);
        Quickening.Apply(code);
        _u = saved;
        return code;
    }

    /// <summary>Qualified names identify functions in pickles, so two lambdas on one scope get `#2`, `#3` suffixes.</summary>
    private string UniqueQualifiedName(string name)
    {
        if (_qualifiedNames.Add(name)) return name;
        for (int i = 2; ; i++)
            if (_qualifiedNames.Add($"{name}#{i}")) return $"{name}#{i}";
    }

    private string ChildQualifiedName(string name)
    {
        if (_u.Scope.Kind == ScopeKind.Module) return name;
        if (_u.Scope.Kind == ScopeKind.Class) return $"{_u.QualifiedName}.{name}";
        return $"{_u.QualifiedName}.<locals>.{name}";
    }

    // ---------------------------------------------------------------- statements

    [MethodImpl(AggressiveOptimization)]
    private void Body(List<Stmt> body)
    {
        foreach (var s in body) Statement(s);
    }

    [MethodImpl(AggressiveOptimization)]
    private void Statement(Stmt s)
    {
        // The parser keeps the tree within NestingLimits; this only turns a bug there into a
        // compile error instead of a stack overflow (see ModuleCompiler).
        RuntimeHelpers.EnsureSufficientExecutionStack();
        E.Line = s.Line;
        switch (s)
        {
            case ExprStmt e:
                Expression(e.Value);
                E.Emit(OpCode.PopTop);
                break;
            case Assign a:
                Expression(a.Value);
                for (int i = 0; i < a.Targets.Count; i++)
                {
                    if (i < a.Targets.Count - 1) E.Emit(OpCode.Copy, 1);
                    Store(a.Targets[i]);
                }
                break;
            case AugAssign a: AugmentedAssign(a); break;
            case If i: IfStatement(i); break;
            case While w: WhileStatement(w); break;
            case For f: ForStatement(f); break;
            case Break b: BreakOrContinue(b, isBreak: true); break;
            case Continue c: BreakOrContinue(c, isBreak: false); break;
            case Pass: break;
            case FunctionDef f:
                MakeFunction(f, f.Name, f.Args, f.Body, null);
                StoreName(f.Name);
                break;
            case ClassDef c: ClassStatement(c); break;
            case Return r: ReturnStatement(r); break;
            case Try t:
                if (t.FinalBody.Count > 0) TryFinally(t);
                else TryExcept(t);
                break;
            case Raise r:
                if (r.Exc == null)
                {
                    E.Emit(OpCode.RaiseVarargs, 0);
                }
                else
                {
                    Expression(r.Exc);
                    if (r.Cause != null) Expression(r.Cause);
                    E.Emit(OpCode.RaiseVarargs, r.Cause != null ? 2 : 1);
                }
                break;
            case Assert a:
                {
                    var ok = new Label();
                    Expression(a.Test);
                    E.EmitJump(OpCode.PopJumpIfTrue, ok);
                    if (a.Msg != null) Expression(a.Msg);
                    E.Emit(OpCode.RaiseAssertion, a.Msg != null ? 1 : 0);
                    E.Bind(ok);
                    break;
                }
            case Delete d: foreach (var t in d.Targets) DeleteTarget(t); break;
            case Global or Nonlocal: break;
            case Import im:
                foreach (var alias in im.Names)
                {
                    if (alias.Name.Contains('.'))
                    {
                        Error(alias, "dotted module names are not supported: modules are the .wf files beside the program");
                        continue;
                    }
                    E.Emit(OpCode.ImportName, _u.NameIndex(alias.Name));
                    StoreName(alias.AsName ?? alias.Name);
                }
                break;
            case ImportFrom im:
                E.Emit(OpCode.ImportName, _u.NameIndex(im.Module));
                foreach (var alias in im.Names)
                {
                    E.Emit(OpCode.ImportFrom, _u.NameIndex(alias.Name));
                    StoreName(alias.AsName ?? alias.Name);
                }
                E.Emit(OpCode.PopTop);
                break;
            default:
                Error(s, $"unsupported statement {s.GetType().Name}");
                break;
        }
    }

    [MethodImpl(AggressiveOptimization)]
    private void AugmentedAssign(AugAssign a)
    {
        int op = (int)a.Op | 0x100;
        switch (a.Target)
        {
            case Name n:
                LoadName(n.Id);
                Expression(a.Value);
                E.Line = a.Line;
                E.Emit(OpCode.BinaryOp, op);
                StoreName(n.Id);
                break;
            case Attribute at:
                Expression(at.Value);
                E.Emit(OpCode.Copy, 1);
                E.Emit(OpCode.LoadAttr, _u.NameIndex(at.Attr));
                Expression(a.Value);
                E.Line = a.Line;
                E.Emit(OpCode.BinaryOp, op);
                E.Emit(OpCode.Swap, 2);
                E.Emit(OpCode.StoreAttr, _u.NameIndex(at.Attr));
                break;
            case Subscript sub:
                Expression(sub.Value);
                Index(sub.Index);
                E.Emit(OpCode.Copy, 2);
                E.Emit(OpCode.Copy, 2);
                E.Emit(OpCode.BinarySubscr);
                Expression(a.Value);
                E.Line = a.Line;
                E.Emit(OpCode.BinaryOp, op);
                E.Emit(OpCode.Swap, 3);
                E.Emit(OpCode.Swap, 2);
                E.Emit(OpCode.StoreSubscr);
                break;
            default:
                Error(a.Target, "'" + Describe(a.Target) + "' is an illegal expression for augmented assignment");
                break;
        }
    }

    /// <summary>
    /// An if statement and its elif chain, which nests each If in the OrElse of the one before, as
    /// deep as the chain is long (the parser does not limit it): a loop walks it, not a recursion.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private void IfStatement(If i)
    {
        var end = new Label();
        while (true)
        {
            E.Line = i.Line;
            var orElse = new Label();
            Expression(i.Test);
            E.EmitJump(OpCode.PopJumpIfFalse, orElse);
            Body(i.Body);
            if (i.OrElse.Count == 0)
            {
                E.Bind(orElse);
                break;
            }
            if (E.Reachable) E.EmitJump(OpCode.Jump, end);
            E.Bind(orElse);
            if (i.OrElse is not [If elif])
            {
                Body(i.OrElse);
                break;
            }
            i = elif;
        }
        E.Bind(end);
    }

    [MethodImpl(AggressiveOptimization)]
    private void WhileStatement(While w)
    {
        var head = new Label();
        var orElse = new Label();
        var end = new Label();
        E.Bind(head);
        Expression(w.Test);
        E.EmitJump(OpCode.PopJumpIfFalse, orElse);
        _u.Blocks.Add(new Block { Kind = BlockKind.WhileLoop, Continue = head, Break = end, OuterHandler = E.CurrentHandler });
        Body(w.Body);
        _u.Blocks.RemoveAt(_u.Blocks.Count - 1);
        if (E.Reachable)
        {
            E.Line = w.Line;
            E.EmitJump(OpCode.JumpBackward, head);
        }
        E.Bind(orElse);
        Body(w.OrElse);
        E.Bind(end);
    }

    [MethodImpl(AggressiveOptimization)]
    private void ForStatement(For f)
    {
        var head = new Label();
        var orElse = new Label();
        var end = new Label();
        Expression(f.Iter);
        E.Emit(OpCode.GetIter);
        E.Bind(head);
        E.Line = f.Line;
        E.EmitJump(OpCode.ForIter, orElse);
        Store(f.Target);
        _u.Blocks.Add(new Block { Kind = BlockKind.ForLoop, Continue = head, Break = end, OuterHandler = E.CurrentHandler });
        Body(f.Body);
        _u.Blocks.RemoveAt(_u.Blocks.Count - 1);
        if (E.Reachable)
        {
            E.Line = f.Line;
            E.EmitJump(OpCode.JumpBackward, head);
        }
        E.Bind(orElse);
        Body(f.OrElse);
        E.Bind(end);
    }

    private void BreakOrContinue(Stmt s, bool isBreak)
    {
        int loop = _u.Blocks.FindLastIndex(b => b.Kind is BlockKind.ForLoop or BlockKind.WhileLoop);
        if (loop < 0)
        {
            Error(s, isBreak ? "'break' outside loop" : "'continue' not properly in loop");
            return;
        }
        var savedHandler = E.CurrentHandler;
        UnwindBlocks(loop + 1, preserveTop: false);
        var block = _u.Blocks[loop];
        if (isBreak)
        {
            if (block.Kind == BlockKind.ForLoop) E.Emit(OpCode.PopTop);
            E.EmitJump(OpCode.Jump, block.Break!);
        }
        else
        {
            E.EmitJump(OpCode.JumpBackward, block.Continue!);
        }
        E.CurrentHandler = savedHandler;
    }

    [MethodImpl(AggressiveOptimization)]
    private void ReturnStatement(Return r)
    {
        if (r.Value != null) Expression(r.Value);
        else E.Emit(OpCode.LoadConst, _u.Constant(PyNone.Value));
        var savedHandler = E.CurrentHandler;
        UnwindBlocks(0, preserveTop: true);
        E.Line = r.Line;
        E.Emit(OpCode.ReturnValue);
        E.CurrentHandler = savedHandler;
    }

    /// <summary>
    /// Emits the clean-up for every block from the innermost down to index [downTo], as a jump out of
    /// them needs: pops loop iterators, runs finally bodies, restores handled exceptions. With
    /// [preserveTop] a return value on top of the stack is kept above everything popped.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private void UnwindBlocks(int downTo, bool preserveTop)
    {
        for (int i = _u.Blocks.Count - 1; i >= downTo; i--)
        {
            var block = _u.Blocks[i];
            E.CurrentHandler = block.OuterHandler;
            switch (block.Kind)
            {
                case BlockKind.ForLoop:
                    if (preserveTop) E.Emit(OpCode.Swap, 2);
                    E.Emit(OpCode.PopTop);
                    break;
                case BlockKind.WhileLoop:
                    break;
                case BlockKind.TryFinally:
                    {
                        // The finally body runs outside its own try: blocks inside it unwind to the enclosing ones.
                        var removed = _u.Blocks.GetRange(i, _u.Blocks.Count - i);
                        _u.Blocks.RemoveRange(i, _u.Blocks.Count - i);
                        // A break, continue or return inside this finally body abandons the pending return value.
                        if (preserveTop) _u.Blocks.Add(new Block { Kind = BlockKind.PopValue, OuterHandler = block.OuterHandler });
                        var line = E.Line;
                        Body(block.FinalBody!);
                        E.Line = line;
                        if (preserveTop) _u.Blocks.RemoveAt(_u.Blocks.Count - 1);
                        _u.Blocks.AddRange(removed);
                        break;
                    }
                case BlockKind.PopValue:
                    {
                        if (preserveTop) E.Emit(OpCode.Swap, 2);
                        E.Emit(OpCode.PopTop);
                        break;
                    }
                case BlockKind.FinallyEnd:
                    if (preserveTop)
                    {
                        E.Emit(OpCode.Swap, 2);
                        E.Emit(OpCode.PopTop);
                        E.Emit(OpCode.Swap, 2);
                    }
                    else
                    {
                        E.Emit(OpCode.PopTop);
                    }
                    E.Emit(OpCode.PopExcept);
                    break;
                case BlockKind.HandlerBody:
                    if (preserveTop) E.Emit(OpCode.Swap, 2);
                    E.Emit(OpCode.PopExcept);
                    if (block.HandlerName != null) ClearName(block.HandlerName);
                    break;
            }
        }
    }

    [MethodImpl(AggressiveOptimization)]
    private void TryFinally(Try t)
    {
        var handler = new Label();
        var end = new Label();
        int outer = E.CurrentHandler;
        int baseDepth = E.Depth;
        E.CurrentHandler = E.AddHandler(handler, baseDepth);
        _u.Blocks.Add(new Block { Kind = BlockKind.TryFinally, FinalBody = t.FinalBody, OuterHandler = outer });
        if (t.Handlers.Count > 0) TryExcept(t with { FinalBody = new List<Stmt>() });
        else Body(t.Body);
        _u.Blocks.RemoveAt(_u.Blocks.Count - 1);
        E.CurrentHandler = outer;
        if (E.Reachable)
        {
            Body(t.FinalBody);
            if (E.Reachable) E.EmitJump(OpCode.Jump, end);
        }

        // The exceptional path: run the finally body with the exception held, then re-raise it.
        E.Bind(handler);
        var cleanup = new Label();
        E.CurrentHandler = E.AddHandler(cleanup, baseDepth + 1);
        E.Emit(OpCode.PushExcInfo);
        _u.Blocks.Add(new Block { Kind = BlockKind.FinallyEnd, OuterHandler = outer });
        Body(t.FinalBody);
        _u.Blocks.RemoveAt(_u.Blocks.Count - 1);
        if (E.Reachable) E.Emit(OpCode.Reraise);
        EmitHandlerCleanup(cleanup, outer);
        E.Bind(end);
    }

    /// <summary>The handler that restores the previously handled exception before an exception leaves an except/finally block.</summary>
    private void EmitHandlerCleanup(Label cleanup, int outer)
    {
        E.CurrentHandler = outer;
        E.Bind(cleanup);
        E.Emit(OpCode.Swap, 2);
        E.Emit(OpCode.PopExcept);
        E.Emit(OpCode.Reraise);
    }

    [MethodImpl(AggressiveOptimization)]
    private void TryExcept(Try t)
    {
        var handler = new Label();
        var end = new Label();
        int outer = E.CurrentHandler;
        int baseDepth = E.Depth;
        E.CurrentHandler = E.AddHandler(handler, baseDepth);
        Body(t.Body);
        E.CurrentHandler = outer;
        if (E.Reachable)
        {
            Body(t.OrElse);
            if (E.Reachable) E.EmitJump(OpCode.Jump, end);
        }

        E.Bind(handler);
        var cleanup = new Label();
        int cleanupHandler = E.AddHandler(cleanup, baseDepth + 1);
        E.CurrentHandler = cleanupHandler;
        E.Emit(OpCode.PushExcInfo);
        foreach (var h in t.Handlers)
        {
            E.Line = h.Line;
            var next = new Label();
            if (h.Type != null)
            {
                Expression(h.Type);
                E.Emit(OpCode.CheckExcMatch);
                E.EmitJump(OpCode.PopJumpIfFalse, next);
            }
            else if (h != t.Handlers[^1])
            {
                Error(h, "default 'except:' must be last");
            }
            Label? nameCleanup = null;
            if (h.Name != null)
            {
                StoreName(h.Name);
                nameCleanup = new Label();
                E.CurrentHandler = E.AddHandler(nameCleanup, baseDepth + 1);
            }
            else
            {
                E.Emit(OpCode.PopTop);
            }
            _u.Blocks.Add(new Block { Kind = BlockKind.HandlerBody, HandlerName = h.Name, OuterHandler = outer });
            Body(h.Body);
            _u.Blocks.RemoveAt(_u.Blocks.Count - 1);
            E.CurrentHandler = cleanupHandler;
            if (E.Reachable)
            {
                E.Emit(OpCode.PopExcept);
                if (h.Name != null) ClearName(h.Name);
                E.EmitJump(OpCode.Jump, end);
            }
            if (nameCleanup != null)
            {
                // An exception leaving the handler body still unbinds the `as` name, as CPython does.
                E.Bind(nameCleanup);
                ClearName(h.Name!);
                E.Emit(OpCode.Reraise);
            }
            E.Bind(next);
        }
        if (E.Reachable) E.Emit(OpCode.Reraise);
        EmitHandlerCleanup(cleanup, outer);
        E.CurrentHandler = outer;
        E.Bind(end);
    }

    private void ClearName(string name)
    {
        E.Emit(OpCode.LoadConst, _u.Constant(PyNone.Value));
        StoreName(name);
        DeleteName(name);
    }

    [MethodImpl(AggressiveOptimization)]
    private void ClassStatement(ClassDef c)
    {
        var scope = _scopes[c];
        var qualified = ChildQualifiedName(c.Name);
        var body = CompileUnit(scope, c.Name, qualified, c.Line, () =>
        {
            E.Emit(OpCode.LoadConst, _u.Constant(_moduleName));
            E.Emit(OpCode.StoreName, _u.NameIndex("__module__"));
            E.Emit(OpCode.LoadConst, _u.Constant(_u.QualifiedName));
            E.Emit(OpCode.StoreName, _u.NameIndex("__qualname__"));
            Body(c.Body);
        });
        E.Line = c.Line;
        int flags = EmitClosure(scope);
        E.Emit(OpCode.LoadConst, _u.Constant(body));
        E.Emit(OpCode.MakeFunction, flags);
        E.Emit(OpCode.LoadConst, _u.Constant(c.Name));
        foreach (var b in c.Bases) Expression(b);
        E.Emit(OpCode.BuildTuple, c.Bases.Count);
        E.Line = c.Line;
        E.Emit(OpCode.BuildClass);
        StoreName(c.Name);
    }

    // ---------------------------------------------------------------- functions

    [MethodImpl(AggressiveOptimization)]
    private void MakeFunction(Node node, string name, Arguments args, List<Stmt>? body, Expr? lambdaBody)
    {
        var scope = _scopes[node];
        int flags = 0;
        var defaults = args.Positional.Where(p => p.Default != null).ToList();
        if (defaults.Count > 0)
        {
            foreach (var p in defaults) Expression(p.Default!);
            E.Emit(OpCode.BuildTuple, defaults.Count);
            flags |= 1;
        }
        var kwDefaults = args.KwOnly.Where(p => p.Default != null).ToList();
        if (kwDefaults.Count > 0)
        {
            foreach (var p in kwDefaults)
            {
                E.Emit(OpCode.LoadConst, _u.Constant(p.Name));
                Expression(p.Default!);
            }
            E.Emit(OpCode.BuildDict, kwDefaults.Count);
            flags |= 2;
        }
        for (int i = 1; i < args.Positional.Count; i++)
            if (args.Positional[i].Default == null && args.Positional[i - 1].Default != null)
                Error(args.Positional[i], "non-default argument follows default argument");

        var code = CompileUnit(scope, name, ChildQualifiedName(name), node.Line, () =>
        {
            if (body != null)
            {
                Body(body);
            }
            else
            {
                Expression(lambdaBody!);
                E.Emit(OpCode.ReturnValue);
            }
        }, args);
        E.Line = node.Line;
        flags |= EmitClosure(scope);
        E.Emit(OpCode.LoadConst, _u.Constant(code));
        E.Emit(OpCode.MakeFunction, flags);
    }

    /// <summary>Pushes the cells a child scope captures, as a tuple; returns the MakeFunction flag for it.</summary>
    private int EmitClosure(Scope child)
    {
        if (child.FreeNames.Count == 0) return 0;
        foreach (var name in child.FreeNames) E.Emit(OpCode.LoadClosure, _u.CellIndex(name));
        E.Emit(OpCode.BuildTuple, child.FreeNames.Count);
        return 4;
    }

    // ---------------------------------------------------------------- names

    private void LoadName(string id)
    {
        switch (_u.Scope.Access(id))
        {
            case NameAccess.Fast: E.Emit(OpCode.LoadFast, _u.Local(id)); break;
            case NameAccess.Cell:
            case NameAccess.Free: E.Emit(OpCode.LoadDeref, _u.CellIndex(id)); break;
            case NameAccess.Name: E.Emit(OpCode.LoadName, _u.NameIndex(id)); break;
            default: E.Emit(OpCode.LoadGlobal, _u.NameIndex(id)); break;
        }
    }

    private void StoreName(string id)
    {
        switch (_u.Scope.Access(id))
        {
            case NameAccess.Fast: E.Emit(OpCode.StoreFast, _u.Local(id)); break;
            case NameAccess.Cell:
            case NameAccess.Free: E.Emit(OpCode.StoreDeref, _u.CellIndex(id)); break;
            case NameAccess.Name: E.Emit(OpCode.StoreName, _u.NameIndex(id)); break;
            default: E.Emit(OpCode.StoreGlobal, _u.NameIndex(id)); break;
        }
    }

    private void DeleteName(string id)
    {
        switch (_u.Scope.Access(id))
        {
            case NameAccess.Fast: E.Emit(OpCode.DeleteFast, _u.Local(id)); break;
            case NameAccess.Cell:
            case NameAccess.Free: E.Emit(OpCode.DeleteDeref, _u.CellIndex(id)); break;
            case NameAccess.Name: E.Emit(OpCode.DeleteName, _u.NameIndex(id)); break;
            default: E.Emit(OpCode.DeleteGlobal, _u.NameIndex(id)); break;
        }
    }

    // ---------------------------------------------------------------- assignment targets

    [MethodImpl(AggressiveOptimization)]
    private void Store(Expr target)
    {
        switch (target)
        {
            case Name n: StoreName(n.Id); break;
            case Attribute a:
                Expression(a.Value);
                E.Emit(OpCode.StoreAttr, _u.NameIndex(a.Attr));
                break;
            case Subscript s:
                Expression(s.Value);
                Index(s.Index);
                E.Emit(OpCode.StoreSubscr);
                break;
            case TupleExpr t: StoreSequence(t.Elts, t); break;
            case ListExpr l: StoreSequence(l.Elts, l); break;
            case Starred st: Error(st, "starred assignment target must be in a list or tuple"); break;
            default: Error(target, $"cannot assign to {Describe(target)}"); break;
        }
    }

    [MethodImpl(AggressiveOptimization)]
    private void StoreSequence(List<Expr> elts, Expr at)
    {
        int star = elts.FindIndex(e => e is Starred);
        E.Emit(OpCode.Materialize);
        if (star < 0)
        {
            E.Emit(OpCode.UnpackSequence, elts.Count);
        }
        else
        {
            if (elts.FindLastIndex(e => e is Starred) != star) Error(at, "multiple starred expressions in assignment");
            E.Emit(OpCode.UnpackEx, star | ((elts.Count - star - 1) << 8));
        }
        foreach (var e in elts) Store(e is Starred s ? s.Value : e);
    }

    [MethodImpl(AggressiveOptimization)]
    private void DeleteTarget(Expr target)
    {
        switch (target)
        {
            case Name n: DeleteName(n.Id); break;
            case Attribute a:
                Expression(a.Value);
                E.Emit(OpCode.DeleteAttr, _u.NameIndex(a.Attr));
                break;
            case Subscript s:
                Expression(s.Value);
                Index(s.Index);
                E.Emit(OpCode.DeleteSubscr);
                break;
            case TupleExpr t: foreach (var e in t.Elts) DeleteTarget(e); break;
            case ListExpr l: foreach (var e in l.Elts) DeleteTarget(e); break;
            default: Error(target, $"cannot delete {Describe(target)}"); break;
        }
    }

    private static string Describe(Expr e) => e switch
    {
        Call => "function call",
        Constant => "literal",
        BinOp or UnaryOp => "expression",
        Compare => "comparison",
        Lambda => "lambda",
        _ => "expression",
    };

    // ---------------------------------------------------------------- expressions

    [MethodImpl(AggressiveOptimization)]
    private void Expression(Expr expr)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var savedLine = E.Line;
        E.Line = expr.Line;
        switch (expr)
        {
            case Name n: LoadName(n.Id); break;
            case Constant c: E.Emit(OpCode.LoadConst, _u.Constant(c.Value ?? PyNone.Value)); break;
            case JoinedStr j: FString(j); break;
            case FormattedValue f: EmitFormattedValue(f); break;
            case BinOp b:
                Expression(b.Left);
                Expression(b.Right);
                E.Line = b.Line;
                if (b.Op == BinaryOperator.MatMult) Error(b, "the '@' operator is not supported");
                E.Emit(OpCode.BinaryOp, (int)b.Op);
                break;
            case UnaryOp u:
                Expression(u.Operand);
                E.Emit(u.Op switch
                {
                    UnaryOperator.USub => OpCode.UnaryNegative,
                    UnaryOperator.UAdd => OpCode.UnaryPositive,
                    UnaryOperator.Not => OpCode.UnaryNot,
                    _ => OpCode.UnaryInvert,
                });
                break;
            case BoolOp b:
                {
                    var end = new Label();
                    for (int i = 0; i < b.Values.Count; i++)
                    {
                        Expression(b.Values[i]);
                        if (i < b.Values.Count - 1) E.EmitJump(b.IsAnd ? OpCode.JumpIfFalseOrPop : OpCode.JumpIfTrueOrPop, end);
                    }
                    E.Bind(end);
                    break;
                }
            case Compare c: Comparison(c); break;
            case IfExp i:
                {
                    var orElse = new Label();
                    var end = new Label();
                    Expression(i.Test);
                    E.EmitJump(OpCode.PopJumpIfFalse, orElse);
                    Expression(i.Body);
                    E.EmitJump(OpCode.Jump, end);
                    E.Bind(orElse);
                    Expression(i.OrElse);
                    E.Bind(end);
                    break;
                }
            case Lambda l: MakeFunction(l, "<lambda>", l.Args, null, l.Body); break;
            case Call c: CallExpression(c); break;
            case Attribute a:
                Expression(a.Value);
                E.Line = a.Line;
                E.Emit(OpCode.LoadAttr, _u.NameIndex(a.Attr));
                break;
            case Subscript s:
                Expression(s.Value);
                Index(s.Index);
                E.Line = s.Line;
                E.Emit(OpCode.BinarySubscr);
                break;
            case Slice s:
                Error(s, "slice outside of a subscript");
                break;
            case Starred s:
                Error(s, "can't use starred expression here");
                break;
            case ListExpr l:
                Sequence(l.Elts, isTuple: false);
                break;
            case TupleExpr t:
                Sequence(t.Elts, isTuple: true);
                break;
            case DictExpr d: DictDisplay(d); break;
            case ListComp lc: Comprehension(lc, lc.Generators); break;
            case DictComp dc: Comprehension(dc, dc.Generators); break;
            case GeneratorExp ge: Comprehension(ge, ge.Generators); break;
            case Yield y:
                if (y.Value != null) Expression(y.Value);
                else E.Emit(OpCode.LoadConst, _u.Constant(PyNone.Value));
                E.Line = y.Line;
                E.Emit(OpCode.YieldValue);
                break;
            case YieldFrom y:
                {
                    var head = new Label();
                    var end = new Label();
                    Expression(y.Value);
                    E.Emit(OpCode.GetIter);
                    E.Bind(head);
                    E.Line = y.Line;
                    E.EmitJump(OpCode.ForIterYieldFrom, end);
                    E.Emit(OpCode.YieldValue);
                    E.Emit(OpCode.PopTop);
                    E.EmitJump(OpCode.JumpBackward, head);
                    E.Bind(end);
                    break;
                }
            case Await a:
                Expression(a.Value);
                E.Line = a.Line;
                E.Emit(OpCode.Await);
                break;
            default:
                Error(expr, $"unsupported expression {expr.GetType().Name}");
                break;
        }
        E.Line = savedLine;
    }

    [MethodImpl(AggressiveOptimization)]
    private void Index(Expr index)
    {
        if (index is Slice s)
        {
            SliceBound(s.Lower);
            SliceBound(s.Upper);
            if (s.Step != null)
            {
                Expression(s.Step);
                E.Emit(OpCode.BuildSlice, 3);
            }
            else
            {
                E.Emit(OpCode.BuildSlice, 2);
            }
        }
        else if (index is TupleExpr t && t.Elts.Any(e => e is Slice))
        {
            foreach (var e in t.Elts) Index(e);
            E.Emit(OpCode.BuildTuple, t.Elts.Count);
        }
        else
        {
            Expression(index);
        }
    }

    private void SliceBound(Expr? e)
    {
        if (e == null) E.Emit(OpCode.LoadConst, _u.Constant(PyNone.Value));
        else Expression(e);
    }

    [MethodImpl(AggressiveOptimization)]
    private void FString(JoinedStr j)
    {
        if (j.Values.Count == 0)
        {
            E.Emit(OpCode.LoadConst, _u.Constant(""));
            return;
        }
        foreach (var part in j.Values) Expression(part);
        if (j.Values.Count > 1) E.Emit(OpCode.BuildString, j.Values.Count);
        else if (j.Values[0] is not FormattedValue and not Constant { Value: string }) E.Emit(OpCode.FormatValue, 0);
    }

    [MethodImpl(AggressiveOptimization)]
    private void EmitFormattedValue(FormattedValue f)
    {
        Expression(f.Value);
        int flags = f.Conversion switch { 's' => 1, 'r' => 2, 'a' => 3, _ => 0 };
        if (f.FormatSpec != null)
        {
            FString(f.FormatSpec);
            flags |= 4;
        }
        E.Emit(OpCode.FormatValue, flags);
    }

    [MethodImpl(AggressiveOptimization)]
    private void Comparison(Compare c)
    {
        Expression(c.Left);
        if (c.Ops.Count == 1)
        {
            Expression(c.Comparators[0]);
            E.Line = c.Line;
            EmitCompare(c.Ops[0]);
            return;
        }
        var cleanup = new Label();
        var end = new Label();
        for (int i = 0; i < c.Ops.Count - 1; i++)
        {
            Expression(c.Comparators[i]);
            E.Emit(OpCode.Swap, 2);
            E.Emit(OpCode.Copy, 2);
            E.Line = c.Line;
            EmitCompare(c.Ops[i]);
            E.EmitJump(OpCode.JumpIfFalseOrPop, cleanup);
        }
        Expression(c.Comparators[^1]);
        E.Line = c.Line;
        EmitCompare(c.Ops[^1]);
        E.EmitJump(OpCode.Jump, end);
        E.Bind(cleanup);
        E.Emit(OpCode.Swap, 2);
        E.Emit(OpCode.PopTop);
        E.Bind(end);
    }

    private void EmitCompare(CompareOperator op)
    {
        switch (op)
        {
            case CompareOperator.Eq: E.Emit(OpCode.CompareOp, 0); break;
            case CompareOperator.NotEq: E.Emit(OpCode.CompareOp, 1); break;
            case CompareOperator.Lt: E.Emit(OpCode.CompareOp, 2); break;
            case CompareOperator.LtE: E.Emit(OpCode.CompareOp, 3); break;
            case CompareOperator.Gt: E.Emit(OpCode.CompareOp, 4); break;
            case CompareOperator.GtE: E.Emit(OpCode.CompareOp, 5); break;
            case CompareOperator.Is: E.Emit(OpCode.IsOp, 0); break;
            case CompareOperator.IsNot: E.Emit(OpCode.IsOp, 1); break;
            case CompareOperator.In: E.Emit(OpCode.ContainsOp, 0); break;
            case CompareOperator.NotIn: E.Emit(OpCode.ContainsOp, 1); break;
        }
    }

    [MethodImpl(AggressiveOptimization)]
    private void Sequence(List<Expr> elts, bool isTuple)
    {
        if (!elts.Any(e => e is Starred))
        {
            foreach (var e in elts) Expression(e);
            E.Emit(isTuple ? OpCode.BuildTuple : OpCode.BuildList, elts.Count);
            return;
        }
        E.Emit(OpCode.BuildList, 0);
        foreach (var e in elts)
        {
            if (e is Starred s)
            {
                Expression(s.Value);
                E.Emit(OpCode.Materialize);
                E.Emit(OpCode.ListExtend);
            }
            else
            {
                Expression(e);
                E.Emit(OpCode.ListAppend, 1);
            }
        }
        if (isTuple) E.Emit(OpCode.ListToTuple);
    }

    [MethodImpl(AggressiveOptimization)]
    private void DictDisplay(DictExpr d)
    {
        if (!d.Keys.Any(k => k == null))
        {
            for (int i = 0; i < d.Keys.Count; i++)
            {
                Expression(d.Keys[i]!);
                Expression(d.Values[i]);
            }
            E.Emit(OpCode.BuildDict, d.Keys.Count);
            return;
        }
        E.Emit(OpCode.BuildDict, 0);
        for (int i = 0; i < d.Keys.Count; i++)
        {
            if (d.Keys[i] == null)
            {
                Expression(d.Values[i]);
                E.Emit(OpCode.DictMerge);
            }
            else
            {
                Expression(d.Keys[i]!);
                Expression(d.Values[i]);
                E.Emit(OpCode.DictSet, 1);
            }
        }
    }

    [MethodImpl(AggressiveOptimization)]
    private void CallExpression(Call c)
    {
        // Zero-argument super() inside a method becomes super(__class__, first_parameter), as CPython does at run time.
        if (c.Func is Name { Id: "super" } && c.Args.Count == 0 && c.Keywords.Count == 0
            && _u.Scope.UsesSuper && _u.Scope.Parameters.Count > 0 && _u.Scope.Access("super") == NameAccess.Global)
        {
            LoadName("super");
            E.Emit(OpCode.LoadDeref, _u.CellIndex("__class__"));
            LoadName(_u.Scope.Parameters[0]);
            E.Line = c.Line;
            E.Emit(OpCode.Call, 2);
            return;
        }

        bool starred = c.Args.Any(a => a is Starred) || c.Keywords.Any(k => k.Arg == null);
        if (c.Func is Attribute method && !starred && c.Keywords.Count == 0)
        {
            Expression(method.Value);
            E.Line = method.Line;
            E.Emit(OpCode.LoadMethod, _u.NameIndex(method.Attr));
            foreach (var a in c.Args) Expression(a);
            E.Line = c.Line;
            E.Emit(OpCode.CallMethod, c.Args.Count);
            return;
        }
        Expression(c.Func);
        if (!starred)
        {
            foreach (var a in c.Args) Expression(a);
            foreach (var k in c.Keywords) Expression(k.Value);
            E.Line = c.Line;
            if (c.Keywords.Count == 0)
            {
                E.Emit(OpCode.Call, c.Args.Count);
            }
            else
            {
                var names = c.Keywords.Select(k => (object)k.Arg!).ToArray();
                if (names.Distinct().Count() != names.Length)
                    Error(c, $"keyword argument repeated: {names.GroupBy(n => n).First(g => g.Count() > 1).Key}");
                E.Emit(OpCode.LoadConst, _u.Constant(new PyTuple(names)));
                E.Emit(OpCode.CallKw, c.Args.Count + c.Keywords.Count);
            }
            return;
        }

        E.Emit(OpCode.BuildList, 0);
        foreach (var a in c.Args)
        {
            if (a is Starred s)
            {
                Expression(s.Value);
                E.Emit(OpCode.Materialize);
                E.Emit(OpCode.ListExtend);
            }
            else
            {
                Expression(a);
                E.Emit(OpCode.ListAppend, 1);
            }
        }
        E.Emit(OpCode.ListToTuple);
        bool hasKw = c.Keywords.Count > 0;
        if (hasKw)
        {
            // Every keyword goes through DictMerge in call mode (arg 1), which rejects a name given twice.
            E.Emit(OpCode.BuildDict, 0);
            foreach (var k in c.Keywords)
            {
                if (k.Arg == null)
                {
                    Expression(k.Value);
                }
                else
                {
                    E.Emit(OpCode.LoadConst, _u.Constant(k.Arg));
                    Expression(k.Value);
                    E.Emit(OpCode.BuildDict, 1);
                }
                E.Emit(OpCode.DictMerge, 1);
            }
        }
        E.Line = c.Line;
        E.Emit(OpCode.CallEx, hasKw ? 1 : 0);
    }

    /// <summary>
    /// A comprehension runs as a function of its own, called at once with an iterator over the
    /// outermost iterable (evaluated here, in the enclosing scope).
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private void Comprehension(Expr node, List<Comprehension> generators)
    {
        var scope = _scopes[node];
        var code = CompileUnit(scope, scope.Name, ChildQualifiedName(scope.Name), node.Line, () =>
        {
            if (node is ListComp) E.Emit(OpCode.BuildList, 0);
            else if (node is DictComp) E.Emit(OpCode.BuildDict, 0);
            ComprehensionLoops(node, generators);
            if (node is GeneratorExp) E.Emit(OpCode.LoadConst, _u.Constant(PyNone.Value));
            E.Emit(OpCode.ReturnValue);
        });
        E.Line = node.Line;
        int flags = EmitClosure(scope);
        E.Emit(OpCode.LoadConst, _u.Constant(code));
        E.Emit(OpCode.MakeFunction, flags);
        Expression(generators[0].Iter);
        E.Emit(OpCode.GetIter);
        E.Line = node.Line;
        E.Emit(OpCode.Call, 1);
    }

    /// <summary>
    /// The nested loops of a comprehension's `for` clauses, the element at the innermost. The loops
    /// are opened in one pass and closed in reverse in another: a comprehension may have any number
    /// of clauses (the parser does not limit them), and a recursion per clause would follow it.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private void ComprehensionLoops(Expr node, List<Comprehension> generators)
    {
        var loops = new (Label Head, Label Next, Label End)[generators.Count];
        for (int level = 0; level < generators.Count; level++)
        {
            var g = generators[level];
            var loop = loops[level] = (new Label(), new Label(), new Label());
            if (level == 0) E.Emit(OpCode.LoadFast, _u.Local(".0"));
            else
            {
                Expression(g.Iter);
                E.Emit(OpCode.GetIter);
            }
            E.Bind(loop.Head);
            E.Line = node.Line;
            E.EmitJump(OpCode.ForIter, loop.End);
            Store(g.Target);
            foreach (var cond in g.Ifs)
            {
                Expression(cond);
                E.EmitJump(OpCode.PopJumpIfFalse, loop.Next);
            }
        }
        int depth = generators.Count + 1;
        switch (node)
        {
            case ListComp lc:
                Expression(lc.Elt);
                E.Emit(OpCode.ListAppend, depth);
                break;
            case DictComp dc:
                Expression(dc.Key);
                Expression(dc.Value);
                E.Emit(OpCode.DictSet, depth);
                break;
            case GeneratorExp ge:
                Expression(ge.Elt);
                E.Emit(OpCode.YieldValue);
                E.Emit(OpCode.PopTop);
                break;
        }
        for (int level = generators.Count - 1; level >= 0; level--)
        {
            E.Bind(loops[level].Next);
            E.EmitJump(OpCode.JumpBackward, loops[level].Head);
            E.Bind(loops[level].End);
        }
    }
}
