using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// The compiled program a pickle belongs to: its main module, the source of the modules it imports,
/// and an index of every function by module and qualified name, which is how a pickle names code.
/// Built from source on each machine, so a pickle never carries bytecode.
/// </summary>
internal sealed class ProgramCode
{
    public CodeObject Main { get; }
    /// <summary>The SHA-256 of the main module's source: a pickle only resumes on the program that wrote it.</summary>
    public string Hash { get; }
    public IModuleSource? ModuleSource { get; }

    private readonly Dictionary<string, CodeObject?> _modules = new();
    private readonly Dictionary<CodeObject, Dictionary<string, CodeObject>> _functions = new(ReferenceEqualityComparer.Instance);

    public ProgramCode(CodeObject main, string hash, IModuleSource? moduleSource)
    {
        Main = main;
        Hash = hash;
        ModuleSource = moduleSource;
        _modules["__main__"] = main;
        _modules[Builtins.Prelude.ModuleName] = Builtins.Prelude.Module;
    }

    /// <summary>The code of module [name] (compiled from its source on first use), or null when the program has no such module.</summary>
    public CodeObject? Module(string name)
    {
        lock (_modules)
        {
            if (_modules.TryGetValue(name, out var code)) return code;
            try
            {
                code = ModuleSource?.Load(name);
            }
            catch (ScriptError e)
            {
                throw new PickleException("", $"module '{name}' does not compile: {e.Message}");
            }
            _modules[name] = code;
            return code;
        }
    }

    /// <summary>The function [qualifiedName] of module [module] (`<module>` is the module's own code), or null.</summary>
    public CodeObject? Function(string module, string qualifiedName)
    {
        var moduleCode = Module(module);
        if (moduleCode == null) return null;
        Dictionary<string, CodeObject> index;
        lock (_functions)
        {
            if (!_functions.TryGetValue(moduleCode, out index!)) _functions[moduleCode] = index = Index(moduleCode);
        }
        return index.GetValueOrDefault(qualifiedName);
    }

    private static Dictionary<string, CodeObject> Index(CodeObject module)
    {
        var index = new Dictionary<string, CodeObject>();
        var pending = new Stack<CodeObject>();
        pending.Push(module);
        while (pending.Count > 0)
        {
            var code = pending.Pop();
            index[code.QualifiedName] = code;
            foreach (var constant in code.Constants)
                if (constant is CodeObject inner) pending.Push(inner);
        }
        return index;
    }
}
