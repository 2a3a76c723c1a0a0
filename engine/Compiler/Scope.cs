using Workflow.Syntax;

namespace Workflow.Compiler;

internal enum ScopeKind : byte { Module, Function, Class, Comprehension }

/// <summary>How a name is reached from a given scope.</summary>
internal enum NameAccess : byte
{
    /// <summary>A local slot of the function (LoadFast).</summary>
    Fast,
    /// <summary>A local captured by an inner function: lives in a cell of this frame.</summary>
    Cell,
    /// <summary>A variable of an enclosing function, reached through the closure.</summary>
    Free,
    /// <summary>A module global or a builtin.</summary>
    Global,
    /// <summary>A class body's namespace entry (LoadName/StoreName).</summary>
    Name,
}

/// <summary>The names of one function, class body, comprehension or module, and how each is reached.</summary>
internal sealed class Scope
{
    public readonly ScopeKind Kind;
    public readonly string Name;
    public readonly Scope? Parent;
    public readonly List<Scope> Children = new();

    /// <summary>Names bound here (assigned, imported, defined, parameters), in first-binding order.</summary>
    public readonly List<string> Bound = new();
    public readonly HashSet<string> BoundSet = new();
    public readonly HashSet<string> Used = new();
    public readonly HashSet<string> DeclaredGlobal = new();
    public readonly HashSet<string> DeclaredNonlocal = new();
    public readonly List<string> Parameters = new();

    /// <summary>Filled by resolution: locals captured by inner scopes, and names this scope reads from enclosing ones.</summary>
    public readonly List<string> CellNames = new();
    public readonly List<string> FreeNames = new();

    public bool IsGenerator;
    /// <summary>A method that calls super(): it reads the implicit `__class__` cell of its class body.</summary>
    public bool UsesSuper;

    public Scope(ScopeKind kind, string name, Scope? parent)
    {
        Kind = kind;
        Name = name;
        Parent = parent;
        parent?.Children.Add(this);
    }

    public void Bind(string name)
    {
        if (BoundSet.Add(name)) Bound.Add(name);
    }

    public bool IsFunctionLike => Kind is ScopeKind.Function or ScopeKind.Comprehension;

    /// <summary>How [name] is reached from code in this scope.</summary>
    public NameAccess Access(string name)
    {
        if (Kind == ScopeKind.Module) return NameAccess.Global;
        if (DeclaredGlobal.Contains(name)) return NameAccess.Global;
        if (CellNames.Contains(name)) return NameAccess.Cell;
        if (FreeNames.Contains(name)) return Kind == ScopeKind.Class && BoundSet.Contains(name) ? NameAccess.Name : NameAccess.Free;
        if (Kind == ScopeKind.Class) return BoundSet.Contains(name) ? NameAccess.Name : NameAccess.Global;
        if (BoundSet.Contains(name)) return NameAccess.Fast;
        return NameAccess.Global;
    }
}
