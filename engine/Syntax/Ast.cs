namespace Workflow.Syntax;

// The abstract syntax tree of a .wf module. It mirrors CPython's ast module (Python.asdl) for the
// subset the language accepts, so that the compiler can follow CPython's own compile.c where in doubt.
// Every node carries the 1-based line and column of its first character.

internal abstract record Node(int Line, int Col);

// ---------------------------------------------------------------- expressions

/// <summary>
/// An expression. [Height] is how many levels of expressions it holds: 0 for a name or a constant,
/// one more than its highest operand for the rest. Each node works it out from its operands when
/// it is built, so the parser can refuse a tree deeper than NestingLimits.Expression (the
/// compiler's passes recurse once per level) at the token that makes it so, without a walk.
/// </summary>
internal abstract record Expr(int Line, int Col, int Height) : Node(Line, Col);

/// <summary>A name load or store; [Id] is the identifier.</summary>
internal sealed record Name(int Line, int Col, string Id) : Expr(Line, Col, 0);

/// <summary>
/// A literal. [Value] is null for None, or a bool, long, System.Numerics.BigInteger (only when the
/// literal does not fit in a long), double or string.
/// </summary>
internal sealed record Constant(int Line, int Col, object? Value) : Expr(Line, Col, 0);

/// <summary>An f-string: a concatenation of Constant(string) and FormattedValue parts.</summary>
internal sealed record JoinedStr(int Line, int Col, List<Expr> Values) : Expr(Line, Col, Levels.Above(Values));

/// <summary>
/// One {expr!conv:spec} inside an f-string. [Conversion] is '\0' (none), 's', 'r' or 'a'.
/// [FormatSpec] is null or a JoinedStr (specs may themselves hold {fields}).
/// </summary>
internal sealed record FormattedValue(int Line, int Col, Expr Value, char Conversion, JoinedStr? FormatSpec) : Expr(Line, Col, Levels.Above(Value, FormatSpec));

internal enum BinaryOperator { Add, Sub, Mult, Div, FloorDiv, Mod, Pow, LShift, RShift, BitOr, BitXor, BitAnd, MatMult }
internal enum UnaryOperator { Invert, Not, UAdd, USub }
internal enum CompareOperator { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn }

internal sealed record BinOp(int Line, int Col, Expr Left, BinaryOperator Op, Expr Right) : Expr(Line, Col, Levels.Above(Left, Right));
internal sealed record UnaryOp(int Line, int Col, UnaryOperator Op, Expr Operand) : Expr(Line, Col, Levels.Above(Operand));

/// <summary>`a and b and c` ([IsAnd] true) or `a or b or c`: two or more [Values].</summary>
internal sealed record BoolOp(int Line, int Col, bool IsAnd, List<Expr> Values) : Expr(Line, Col, Levels.Above(Values));

/// <summary>A comparison chain `Left Ops[0] Comparators[0] Ops[1] Comparators[1] ...`.</summary>
internal sealed record Compare(int Line, int Col, Expr Left, List<CompareOperator> Ops, List<Expr> Comparators) : Expr(Line, Col, Levels.Above(Comparators, Left));

internal sealed record IfExp(int Line, int Col, Expr Test, Expr Body, Expr OrElse) : Expr(Line, Col, Levels.Above(Test, Body, OrElse));
internal sealed record Lambda(int Line, int Col, Arguments Args, Expr Body) : Expr(Line, Col, Levels.Above(Args, Body));

/// <summary>
/// A call. [Args] may contain Starred nodes (`*xs`); a Keyword whose Arg is null is `**kw`.
/// </summary>
internal sealed record Call(int Line, int Col, Expr Func, List<Expr> Args, List<Keyword> Keywords) : Expr(Line, Col, Levels.Above(Func, Args, Keywords));
internal sealed record Keyword(int Line, int Col, string? Arg, Expr Value) : Node(Line, Col);

internal sealed record Attribute(int Line, int Col, Expr Value, string Attr) : Expr(Line, Col, Levels.Above(Value));

/// <summary>`Value[Index]`; [Index] is a Slice for `a[1:2]`, a TupleExpr for `a[1, 2]`.</summary>
internal sealed record Subscript(int Line, int Col, Expr Value, Expr Index) : Expr(Line, Col, Levels.Above(Value, Index));
internal sealed record Slice(int Line, int Col, Expr? Lower, Expr? Upper, Expr? Step) : Expr(Line, Col, Levels.Above(Lower, Upper, Step));

/// <summary>`*Value` in a call, a display, or an assignment target.</summary>
internal sealed record Starred(int Line, int Col, Expr Value) : Expr(Line, Col, Levels.Above(Value));

internal sealed record ListExpr(int Line, int Col, List<Expr> Elts) : Expr(Line, Col, Levels.Above(Elts));
internal sealed record TupleExpr(int Line, int Col, List<Expr> Elts) : Expr(Line, Col, Levels.Above(Elts));

/// <summary>A dict display; a null entry in [Keys] means `**Values[i]`.</summary>
internal sealed record DictExpr(int Line, int Col, List<Expr?> Keys, List<Expr> Values) : Expr(Line, Col, Levels.Above(Keys, Values));

internal sealed record Comprehension(int Line, int Col, Expr Target, Expr Iter, List<Expr> Ifs) : Node(Line, Col);
internal sealed record ListComp(int Line, int Col, Expr Elt, List<Comprehension> Generators) : Expr(Line, Col, Levels.Above(Generators, Elt));
internal sealed record DictComp(int Line, int Col, Expr Key, Expr Value, List<Comprehension> Generators) : Expr(Line, Col, Levels.Above(Generators, Key, Value));
internal sealed record GeneratorExp(int Line, int Col, Expr Elt, List<Comprehension> Generators) : Expr(Line, Col, Levels.Above(Generators, Elt));

internal sealed record Yield(int Line, int Col, Expr? Value) : Expr(Line, Col, Levels.Above(Value));
internal sealed record YieldFrom(int Line, int Col, Expr Value) : Expr(Line, Col, Levels.Above(Value));

/// <summary>`await Value`: the stackless addition; valid in any function.</summary>
internal sealed record Await(int Line, int Col, Expr Value) : Expr(Line, Col, Levels.Above(Value));

// ---------------------------------------------------------------- function signatures

/// <summary>One parameter; [Default] is null when it has none.</summary>
internal sealed record Param(int Line, int Col, string Name, Expr? Default) : Node(Line, Col);

/// <summary>
/// A parameter list: `def f(a, b=1, *args, c, d=2, **kw)` has Positional [a, b], VarArg "args",
/// KwOnly [c, d], KwArg "kw". Annotations are parsed and dropped.
/// </summary>
internal sealed record Arguments(List<Param> Positional, string? VarArg, List<Param> KwOnly, string? KwArg);

// ---------------------------------------------------------------- statements

internal abstract record Stmt(int Line, int Col) : Node(Line, Col);

internal sealed record ExprStmt(int Line, int Col, Expr Value) : Stmt(Line, Col);

/// <summary>`t1 = t2 = value`: [Targets] in source order.</summary>
internal sealed record Assign(int Line, int Col, List<Expr> Targets, Expr Value) : Stmt(Line, Col);
internal sealed record AugAssign(int Line, int Col, Expr Target, BinaryOperator Op, Expr Value) : Stmt(Line, Col);

internal sealed record If(int Line, int Col, Expr Test, List<Stmt> Body, List<Stmt> OrElse) : Stmt(Line, Col);
internal sealed record While(int Line, int Col, Expr Test, List<Stmt> Body, List<Stmt> OrElse) : Stmt(Line, Col);
internal sealed record For(int Line, int Col, Expr Target, Expr Iter, List<Stmt> Body, List<Stmt> OrElse) : Stmt(Line, Col);
internal sealed record Break(int Line, int Col) : Stmt(Line, Col);
internal sealed record Continue(int Line, int Col) : Stmt(Line, Col);
internal sealed record Pass(int Line, int Col) : Stmt(Line, Col);

internal sealed record FunctionDef(int Line, int Col, string Name, Arguments Args, List<Stmt> Body) : Stmt(Line, Col);
internal sealed record Return(int Line, int Col, Expr? Value) : Stmt(Line, Col);
internal sealed record ClassDef(int Line, int Col, string Name, List<Expr> Bases, List<Stmt> Body) : Stmt(Line, Col);

internal sealed record ExceptHandler(int Line, int Col, Expr? Type, string? Name, List<Stmt> Body) : Node(Line, Col);
internal sealed record Try(int Line, int Col, List<Stmt> Body, List<ExceptHandler> Handlers, List<Stmt> OrElse, List<Stmt> FinalBody) : Stmt(Line, Col);

/// <summary>`raise Exc from Cause`; both null for a bare `raise`.</summary>
internal sealed record Raise(int Line, int Col, Expr? Exc, Expr? Cause) : Stmt(Line, Col);
internal sealed record Assert(int Line, int Col, Expr Test, Expr? Msg) : Stmt(Line, Col);
internal sealed record Delete(int Line, int Col, List<Expr> Targets) : Stmt(Line, Col);
internal sealed record Global(int Line, int Col, List<string> Names) : Stmt(Line, Col);
internal sealed record Nonlocal(int Line, int Col, List<string> Names) : Stmt(Line, Col);

/// <summary>`import a.b as c` → Alias("a.b", "c").</summary>
internal sealed record Alias(int Line, int Col, string Name, string? AsName) : Node(Line, Col);
internal sealed record Import(int Line, int Col, List<Alias> Names) : Stmt(Line, Col);
internal sealed record ImportFrom(int Line, int Col, string Module, List<Alias> Names) : Stmt(Line, Col);

/// <summary>A parsed file.</summary>
internal sealed record ModuleNode(string FileName, List<Stmt> Body);
