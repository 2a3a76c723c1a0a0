using Workflow.Compiler;
using Workflow.Syntax;
using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>
/// The modules of a deployed program, compiled from the sources stored with it: a worker resolves
/// `import m` from the database, never from files (DESIGN.md: the pickle and the program source in
/// the database are all a worker needs).
/// </summary>
internal sealed class BundledModuleSource : IModuleSource
{
    private readonly IReadOnlyDictionary<string, string> _sources;

    public BundledModuleSource(IReadOnlyDictionary<string, string> sources) => _sources = sources;

    public CodeObject? Load(string moduleName) =>
        _sources.TryGetValue(moduleName, out var source) ? CompileModule(source, moduleName + ".wf", moduleName) : null;

    /// <summary>Compiles an imported module; one that does not compile raises ImportError with its diagnostics.</summary>
    public static CodeObject CompileModule(string source, string fileName, string moduleName)
    {
        var diagnostics = new List<Diagnostic>();
        WorkflowProgram.RememberSource(fileName, source);
        var code = ModuleCompiler.Compile(source, fileName, moduleName, diagnostics);
        if (code == null)
            throw Errors.New(ExceptionTypes.ImportError, $"cannot import '{moduleName}': it does not compile:\n" + string.Join("\n", diagnostics));
        return code;
    }
}
