using Workflow.Syntax;

namespace Workflow.Compiler;

/// <summary>Source text → code object: parse, analyse scopes, generate code. Either a code object or diagnostics, never an exception.</summary>
internal static class ModuleCompiler
{
    public static CodeObject? Compile(string source, string fileName, string moduleName, List<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        var module = Parser.Parse(source, fileName, diagnostics);
        if (diagnostics.Count > before) return null;
        try
        {
            return CodeGen.CompileModule(module, moduleName, diagnostics);
        }
        catch (InvalidOperationException e)
        {
            // A compiler bug must still come out as a diagnostic with a place, not a crash of the host.
            diagnostics.Add(new Diagnostic(fileName, 1, 1, "internal compiler error: " + e.Message));
            return null;
        }
        catch (InsufficientExecutionStackException)
        {
            // The passes recurse once per level of the tree, which NestingLimits keep far from the
            // end of any thread's stack: getting there is a bug in those limits, reported as one.
            diagnostics.Add(new Diagnostic(fileName, 1, 1, "internal compiler error: the program nests too deeply for the compiler's stack"));
            return null;
        }
    }
}
