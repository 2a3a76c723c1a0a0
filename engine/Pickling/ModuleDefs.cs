using System.Runtime.CompilerServices;
using Workflow.Compiler;
using Workflow.Runtime;

namespace Workflow.Pickling;

/// <summary>
/// A module's globals that still hold the function their own top-level `def` made are written by
/// name under "defs" (the unpickler makes each function from the program's code). The usual case,
/// every top-level def of the module's code bound under its own name in the code's order, is
/// written <c>"defs": "all"</c>: the reader finds the same names in the same code, so nothing is
/// left out that the list would say. A def that is missing, rebound, or bound in another order
/// (a conditional def, a def run twice) is written as the list.
/// </summary>
internal static class ModuleDefs
{
    /// <summary>The "defs" value that stands for every name of TopLevelNames.</summary>
    public const string All = "all";

    private static readonly ConditionalWeakTable<CodeObject, string[]> Names = new();

    /// <summary>
    /// The names the top-level `def`s of [moduleCode] bind, in the code's order (a name def'd twice
    /// once, where it is first def'd): the functions the module's code makes itself, never a class's
    /// methods, lambdas or comprehensions.
    /// </summary>
    public static string[] TopLevelNames(CodeObject moduleCode) => Names.GetValue(moduleCode, static code =>
    {
        var names = new List<string>();
        foreach (var constant in code.Constants)
            if (constant is CodeObject { IsClassBody: false } def && def.QualifiedName == def.Name && !def.Name.StartsWith('<') && !names.Contains(def.Name))
                names.Add(def.Name);
        return names.ToArray();
    });

    /// <summary>Whether [defs], the names [module]'s globals hold as their own defs in order, are every one of its code's top-level defs.</summary>
    public static bool AreAll(PyModule module, List<string> defs) =>
        module.Code != null && defs.Count > 0 && TopLevelNames(module.Code).AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(defs));
}
