using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>
/// The script half of the builtins (Prelude.wf, embedded in this assembly): compiled once per
/// process, run into a module of each interpreter. Its frames name their module "builtins", so
/// a pickle refers to them like any other script function.
/// </summary>
internal static class Prelude
{
    public const string ModuleName = "builtins";
    public const string FileName = "<builtins>";

    private static readonly Lazy<CodeObject> Code = new(Compile);

    public static CodeObject Module => Code.Value;

    private static CodeObject Compile()
    {
        using var stream = typeof(Prelude).Assembly.GetManifestResourceStream("Workflow.Prelude.wf")
            ?? throw new InvalidOperationException("the prelude resource is missing from the engine assembly");
        var source = new StreamReader(stream).ReadToEnd();
        var diagnostics = new List<Diagnostic>();
        return ModuleCompiler.Compile(source, FileName, ModuleName, diagnostics)
            ?? throw new InvalidOperationException("the prelude does not compile: " + string.Join("; ", diagnostics));
    }

    /// <summary>
    /// True when iterating [value] may run script code or block: generators, channels, user
    /// iterators. Lists, tuples, strings, dicts, ranges, and the C# map/filter/zip/enumerate
    /// iterators (only ever built over those) never do.
    /// </summary>
    public static bool MayRunScript(object value) => value switch
    {
        PyGenerator or ChannelIterator or PyChannel => true,
        PyInstance and not PyException => true,
        SequenceIterator => true,
        _ => false,
    };

    /// <summary>The CPython type a prelude generator function implements (its values report that name, not 'generator'), or null.</summary>
    public static string? IteratorTypeName(string function) => function switch
    {
        "_map" => "map",
        "_filter" => "filter",
        "_zip" => "zip",
        "_enumerate" => "enumerate",
        "_iter_callable" => "callable_iterator",
        "_sequence_iter" => "iterator",
        "_reversed_seq" => "reversed",
        _ => null,
    };

    /// <summary>True when calling [callable] runs script code.</summary>
    public static bool IsScript(object? callable) => callable switch
    {
        null or PyNone or BuiltinFunction or BoundNativeMethod => false,
        PyClass cls => cls.NativeConstructor == null,
        _ => true,
    };

    public static bool AnyMayRunScript(object[] values)
    {
        foreach (var v in values)
            if (MayRunScript(v)) return true;
        return false;
    }
}
