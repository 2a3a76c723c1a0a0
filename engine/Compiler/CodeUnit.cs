using System.Numerics;
using Workflow.Values;

namespace Workflow.Compiler;

/// <remarks>PopValue marks a finally body inlined by a `return`: the return value waits on the stack beneath it.</remarks>
internal enum BlockKind : byte { ForLoop, WhileLoop, TryFinally, FinallyEnd, HandlerBody, PopValue }

/// <summary>
/// A construct that `break`, `continue` and `return` must unwind through: loops (an iterator on the
/// stack), try/finally (its finally body runs first), and except/finally handlers (the handled
/// exception must be restored).
/// </summary>
internal sealed class Block
{
    public required BlockKind Kind;
    public Label? Continue;
    public Label? Break;
    public List<Syntax.Stmt>? FinalBody;
    public string? HandlerName;
    /// <summary>A for loop over a call's result: leaving it early closes the generator it may own (CloseIterator).</summary>
    public bool ClosesIterator;
    /// <summary>The exception handler in force outside this block, which protects its clean-up code.</summary>
    public int OuterHandler;
}

/// <summary>The state of one code object being compiled: its scope, emitter and constant, name and local tables.</summary>
internal sealed class CodeUnit
{
    public readonly Scope Scope;
    public readonly string Name;
    public readonly string QualifiedName;
    public readonly Emitter Emitter = new();
    public readonly List<Block> Blocks = new();

    private readonly List<object> _constants = new();
    private readonly Dictionary<(Type, object), int> _constantIndex = new();
    private readonly List<string> _names = new();
    private readonly Dictionary<string, int> _nameIndex = new();
    public readonly List<string> Locals = new();
    private readonly Dictionary<string, int> _localIndex = new();

    /// <summary>The module's string constants, shared by all its code units: one object per value, as CPython's compiler makes them.</summary>
    private readonly Dictionary<string, string> _moduleStrings;

    public CodeUnit(Scope scope, string name, string qualifiedName, Dictionary<string, string> moduleStrings)
    {
        Scope = scope;
        Name = name;
        QualifiedName = qualifiedName;
        _moduleStrings = moduleStrings;
    }

    public int Constant(object value)
    {
        // CPython's compiler makes equal constants of a module one object (and interns the name-like
        // ones across modules), so `a is b` holds for them in every function. Here every constant up to
        // MaxInternedConstant characters is interned: a pickle then says "the constant" by writing its
        // text inline, and the unpickler finds the same object in any process that compiled the
        // program (Pickler.SharedValues). Longer ones are one object per module only (the intern pool
        // is never freed, and programs are redeployed).
        if (value is string s)
        {
            if (!_moduleStrings.TryGetValue(s, out var shared)) _moduleStrings[s] = shared = s.Length <= MaxInternedConstant ? string.Intern(s) : s;
            value = shared;
        }
        // Keyed by type as well as value: 1, 1.0 and True are equal in Python but distinct constants.
        object key = value is PyTuple or Compiler.CodeObject ? new object() : value;
        if (_constantIndex.TryGetValue((value.GetType(), key), out var index)) return index;
        _constants.Add(value);
        _constantIndex[(value.GetType(), key)] = _constants.Count - 1;
        return _constants.Count - 1;
    }

    /// <summary>The longest string constant interned process-wide.</summary>
    internal const int MaxInternedConstant = 256;

    public int NameIndex(string name)
    {
        if (_nameIndex.TryGetValue(name, out var index)) return index;
        _names.Add(name);
        _nameIndex[name] = _names.Count - 1;
        return _names.Count - 1;
    }

    public int Local(string name)
    {
        if (_localIndex.TryGetValue(name, out var index)) return index;
        Locals.Add(name);
        _localIndex[name] = Locals.Count - 1;
        return Locals.Count - 1;
    }

    public bool HasLocal(string name) => _localIndex.ContainsKey(name);

    public int CellIndex(string name)
    {
        var i = Scope.CellNames.IndexOf(name);
        if (i >= 0) return i;
        i = Scope.FreeNames.IndexOf(name);
        if (i >= 0) return Scope.CellNames.Count + i;
        throw new InvalidOperationException($"'{name}' is not a cell or free variable of {QualifiedName}");
    }

    public object[] Constants => _constants.ToArray();
    public string[] Names => _names.ToArray();
}
