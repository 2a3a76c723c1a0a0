using Workflow.Compiler;

namespace Workflow.Runtime;

/// <summary>A module: a .wf file's globals once its top-level code has run, or a built-in module such as json.</summary>
internal sealed class PyModule
{
    public readonly string Name;
    public readonly string FileName;
    public readonly ModuleGlobals Globals = new();
    /// <summary>The module's top-level code (null for a built-in module): a pickle names its own defs by it.</summary>
    public CodeObject? Code { get; init; }

    public PyModule(string name, string fileName)
    {
        Name = name;
        FileName = fileName;
        Globals["__name__"] = name;
    }

    public override string ToString() => $"<module '{Name}'>";
}
