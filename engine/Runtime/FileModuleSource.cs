using Workflow.Compiler;
using Workflow.Syntax;
using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>Resolves `import name` to name.wf in the program's directory, compiling it on first use.</summary>
internal sealed class FileModuleSource : IModuleSource
{
    private readonly string _directory;

    public FileModuleSource(string directory) => _directory = directory;

    public CodeObject? Load(string moduleName)
    {
        var path = Path.Combine(_directory, moduleName + ".wf");
        if (!File.Exists(path)) return null;
        var diagnostics = new List<Diagnostic>();
        var code = ModuleCompiler.Compile(File.ReadAllText(path), path, moduleName, diagnostics);
        if (code == null)
            throw Errors.New(ExceptionTypes.ImportError, $"cannot import '{moduleName}': it does not compile:\n" + string.Join("\n", diagnostics));
        return code;
    }
}
