using Workflow.Compiler;

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
        return BundledModuleSource.CompileModule(File.ReadAllText(path), path, moduleName);
    }
}
