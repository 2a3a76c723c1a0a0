using System.Numerics;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// Values: JSON scalars, tagged values for what has a name (built-ins, a module's own defs,
/// constants, tasklets), strings, floats and big ints inline (Pickler.SharedValues), and a
/// reference to a heap entry for every other object, which gets one the first time it is met.
/// </summary>
internal sealed partial class Pickler
{
    private void WriteValue(object? v)
    {
        switch (v)
        {
            case null:
                throw new PickleException("", "an unbound value where a value was expected: this is a bug in the engine");
            case PyNone:
                _w.WriteNull();
                return;
            case bool b:
                _w.WriteValue(b);
                return;
            case long l:
                _w.WriteValue(l);
                return;
            case string or double or BigInteger:
                WriteImmutable(v);
                return;
            case BuiltinFunction bf:
                Tagged("builtin", BuiltinNames.NameOf(bf) ?? throw Unnamed($"built-in function {bf.Name}"));
                return;
            case PyClass cls when BuiltinNames.NameOf(cls) is { } typeName:
                Tagged("type", typeName);
                return;
            case NativeMethod native:
                Tagged("native", BuiltinNames.NameOf(native) ?? throw Unnamed($"method {native.Method.DeclaringType}.{native.Method.Name} of a built-in type"));
                return;
            case PyModule module:
                Tagged("module", module.Name);
                return;
            case PyFunction fn when IsOwnDef(fn):
                Tagged("def", fn.Module.Name == "__main__" ? fn.Code.Name : fn.Module.Name + ":" + fn.Code.Name);
                return;
            case Tasklet t:
                _w.WriteStartObject();
                _w.WritePropertyName("tasklet", false);
                _w.WriteValue(t.Id);
                _w.WriteEndObject();
                return;
        }
        if (BuiltinNames.ConstantName(v) is { } constant)
        {
            Tagged("const", constant);
            return;
        }
        if (!_ids.TryGetValue(v, out var id))
        {
            id = _heap.Count;
            _ids[v] = id;
            _heap.Add(v);
        }
        WriteRef(id);
    }

    private static PickleException Unnamed(string what) => new("", $"the {what} has no name in the pickle's table of built-ins: this is a bug in the engine");

    /// <summary>A str as a JSON string, or {"utf16": hex} when it holds a lone surrogate (PickledText says why).</summary>
    private void WriteStr(string s)
    {
        if (Values.Text.CodePoints.HasLoneSurrogate(s)) Tagged(PickledText.Tag, PickledText.ToHex(s));
        else _w.WriteValue(s);
    }

    private void Tagged(string tag, string name)
    {
        _w.WriteStartObject();
        _w.WritePropertyName(tag, false);
        _w.WriteValue(name);
        _w.WriteEndObject();
    }
}
