using Workflow.Compiler;

namespace Workflow.Runtime;

/// <summary>Finds and compiles the module a script imports (`import pricing` → pricing.wf beside the program).</summary>
internal interface IModuleSource
{
    /// <summary>Returns the compiled module, or null when there is no such module. Compile errors are thrown as ScriptError(ImportError).</summary>
    CodeObject? Load(string moduleName);
}
