using Workflow.Compiler;

namespace Workflow.Runtime;

/// <summary>A script function or lambda: its code plus what was captured when `def` ran.</summary>
internal sealed class PyFunction
{
    public readonly CodeObject Code;
    public readonly PyModule Module;
    /// <summary>Default values of the last positional parameters, or empty.</summary>
    public readonly object[] Defaults;
    /// <summary>Default values of keyword-only parameters, by name, or null.</summary>
    public readonly Dictionary<string, object>? KwDefaults;
    /// <summary>The cells of the enclosing functions' variables this function reads (its free variables).</summary>
    public readonly Cell[] Closure;
    /// <summary>The global slots this function's code uses, resolved on first use and shared by its frames.</summary>
    public readonly GlobalCache Globals;

    public PyFunction(CodeObject code, PyModule module, object[] defaults, Dictionary<string, object>? kwDefaults, Cell[] closure)
    {
        Code = code;
        Module = module;
        Defaults = defaults;
        KwDefaults = kwDefaults;
        Closure = closure;
        Globals = new GlobalCache(code.Names.Length);
    }

    public string Name => Code.Name;
    public override string ToString() => $"<function {Code.QualifiedName}>";
}
