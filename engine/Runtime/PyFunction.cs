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

    // A few frames that returned through a plain call, ready for the next call: the same code,
    // module, closure and globals, so only the instruction pointer and slots need resetting.
    private Frame? _spare1, _spare2;

    /// <summary>A fresh frame for a call of this function, reusing a returned one when there is one.</summary>
    public Frame NewFrame()
    {
        var frame = _spare1;
        if (frame != null)
        {
            _spare1 = _spare2;
            _spare2 = null;
            return frame;
        }
        return new Frame(Code, Module, Closure, Globals) { Function = CanRecycle ? this : null };
    }

    /// <summary>Takes back a frame of this function that has returned and that nothing references any more.</summary>
    public void Recycle(Frame frame)
    {
        Array.Clear(frame.Locals);
        Array.Clear(frame.Stack);
        frame.Sp = 0;
        frame.Ip = 0;
        frame.Parent = null;
        frame.ReturnKind = ReturnKind.Call;
        if (_spare1 == null) _spare1 = frame;
        else if (_spare2 == null) _spare2 = frame;
    }

    /// <summary>Frames with cells of their own must not be reused: closures made by one call keep its cells.</summary>
    private bool CanRecycle => Code.CellNames.Length == 0 && !Code.IsGenerator && !Code.IsClassBody;

    public string Name => Code.Name;
    public override string ToString() => $"<function {Code.QualifiedName}>";
}
