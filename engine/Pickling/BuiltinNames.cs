using Workflow.Builtins;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// Every built-in object a pickle may name instead of copying: functions (`len`, `json.dumps`),
/// types and exception classes (`int`, `ValueError`, `json.JSONDecodeError`), the C# methods of
/// built-in types (`list.append`) and a few sentinels. This is the closed table the unpickler
/// builds from: a name not in it is refused, so a pickle can never reach a .NET type by name.
/// </summary>
internal static class BuiltinNames
{
    public const string NotImplementedName = "NotImplemented";
    public const string NoSelfName = "noself";
    public const string EndOfIterationName = "end_of_iteration";

    private static readonly Lazy<Tables> All = new(Build);

    public static bool TryGetFunction(string name, out BuiltinFunction function)
    {
        if (All.Value.Functions.TryGetValue(name, out function!)) return true;
        // "list.append": a built-in type's method taken from the type.
        int dot = name.IndexOf('.');
        if (dot > 0 && All.Value.Types.TryGetValue(name[..dot], out var type) && Builtins.UnboundMethods.Get(type, name[(dot + 1)..]) is { } unbound)
        {
            function = unbound;
            return true;
        }
        return false;
    }
    public static bool TryGetType(string name, out PyClass type) => All.Value.Types.TryGetValue(name, out type!);
    public static bool TryGetNative(string name, out NativeMethod method) => All.Value.Natives.TryGetValue(name, out method!);

    public static string? NameOf(BuiltinFunction function) =>
        All.Value.FunctionNames.GetValueOrDefault(function)
        ?? (Builtins.UnboundMethods.TryGetName(function, out var type, out var name) && NameOf(type) is { } typeName ? typeName + "." + name : null);
    public static string? NameOf(PyClass type) => All.Value.TypeNames.GetValueOrDefault(type);
    public static string? NameOf(NativeMethod method) => All.Value.NativeNames.GetValueOrDefault(method);

    public static bool TryGetConstant(string name, out object value)
    {
        value = name switch
        {
            NotImplementedName => Values.NotImplemented.Value,
            NoSelfName => NoSelf.Value,
            EndOfIterationName => PyChannel.EndOfIteration,
            _ => null!,
        };
        return value != null;
    }

    public static string? ConstantName(object value) =>
        value == Values.NotImplemented.Value ? NotImplementedName
        : value == NoSelf.Value ? NoSelfName
        : value == PyChannel.EndOfIteration ? EndOfIterationName
        : null;

    private sealed class Tables
    {
        public readonly Dictionary<string, BuiltinFunction> Functions = new();
        public readonly Dictionary<string, PyClass> Types = new();
        public readonly Dictionary<string, NativeMethod> Natives = new();
        public readonly Dictionary<BuiltinFunction, string> FunctionNames = new(ReferenceEqualityComparer.Instance);
        public readonly Dictionary<PyClass, string> TypeNames = new(ReferenceEqualityComparer.Instance);
        public readonly Dictionary<NativeMethod, string> NativeNames = new(ReferenceEqualityComparer.Instance);

        public void Add(string name, object value)
        {
            switch (value)
            {
                case BuiltinFunction f when !FunctionNames.ContainsKey(f):
                    Functions[name] = f;
                    FunctionNames[f] = name;
                    break;
                case PyClass c when !TypeNames.ContainsKey(c):
                    Types[name] = c;
                    TypeNames[c] = name;
                    break;
            }
        }
    }

    private static Tables Build()
    {
        var t = new Tables();
        foreach (var (name, value) in BuiltinFunctions.Table) t.Add(name, value);
        foreach (var type in ExceptionTypes.All) t.Add(type.Name, type);
        // The types of values that have no constructor name in the builtins namespace.
        foreach (var type in new[]
                 {
                     BuiltinTypes.NoneType, BuiltinTypes.Slice, BuiltinTypes.Function, BuiltinTypes.BuiltinFunction,
                     BuiltinTypes.Method, BuiltinTypes.Generator, BuiltinTypes.Module, BuiltinTypes.Iterator,
                     BuiltinTypes.DictView, BuiltinTypes.Channel, BuiltinTypes.Tasklet, BuiltinTypes.Future, BuiltinTypes.Cell, BuiltinTypes.Super,
                 }.Concat(BuiltinTypes.IteratorTypes.Values))
            t.Add(type.Name, type);
        foreach (var (moduleName, module) in BuiltinFunctions.Modules)
            foreach (var (name, value) in module.Globals.Items)
                t.Add(moduleName + "." + name, value);
        foreach (var (typeName, type) in t.Types.ToList())
        {
            if (type.NativeMethods == null) continue;
            foreach (var (name, method) in type.NativeMethods)
            {
                var full = typeName + "." + name;
                t.Natives[full] = method;
                t.NativeNames.TryAdd(method, full);
            }
        }
        return t;
    }
}
