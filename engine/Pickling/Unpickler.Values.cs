using System.Numerics;
using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling;

/// <summary>
/// Values: JSON scalars, tagged values ({"int"}, {"float"}, {"builtin"}, {"def"}…), references to
/// heap entries, inline strings (one object per value, but for the values the pickle lists as
/// separate), and the tasklets objects wait on (Unpickler).
/// </summary>
internal sealed partial class Unpickler
{

    /// <summary>A value a script can hold (see IsInternal for the objects only the interpreter holds).</summary>
    [MethodImpl(AggressiveOptimization | AggressiveInlining)]
    internal object Value(PNode token)
    {
        var value = AnyValue(token);
        if (StackCheck.IsInternal(value)) throw Bad(token, $"a {StackCheck.InternalName(value)} is not a value a script can hold");
        return value;
    }

    /// <summary>A value: JSON null/bool/number/string, or a one-key object naming a heap entry or a built-in.</summary>
    [MethodImpl(AggressiveOptimization)]
    internal object AnyValue(PNode token)
    {
        // A reference, the commonest value and the only one that leads to Resolve (which may come
        // back here for the next object of a chain), is read in this small frame.
        if (token is PObject { Count: 1 } o && o.FirstProperty is ("ref", { } inner))
        {
            int index = Int(inner, 0, _heap.Count - 1);
            return _objects[index] ?? Resolve(index, _heap[index]);
        }
        return ScalarOrTagged(token);
    }

    internal object ScalarOrTagged(PNode token)
    {
        switch (token.Type)
        {
            case PickleJsonType.Null: return PyNone.Value;
            case PickleJsonType.Boolean: return Boxes.Bool((bool)token);
            case PickleJsonType.String: return InlineString((string)token!);
            case PickleJsonType.Integer:
                {
                    var raw = ((PValue)token).Value;
                    if (raw is long l) return Boxes.Int(l);
                    var big = raw is BigInteger b ? b : new BigInteger(Convert.ToDecimal(raw, System.Globalization.CultureInfo.InvariantCulture));
                    return big >= long.MinValue && big <= long.MaxValue ? Boxes.Int((long)big) : big;
                }
            case PickleJsonType.Object:
                break;
            default:
                throw Bad(token, $"a value cannot be a JSON {token.Type.ToString().ToLowerInvariant()}");
        }
        var o = (PObject)token;
        if (o.Count != 1) throw Bad(token, "a tagged value has exactly one key");
        var (tag, inner) = o.FirstProperty;
        if (inner == null) throw Bad(token, "a tagged value needs a value");
        switch (tag)
        {
            case "int":
                {
                    var digits = Str(inner);
                    if (digits.Length > 5000 || !BigInteger.TryParse(digits, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var big))
                        throw Bad(inner, "not an integer");
                    return big >= long.MinValue && big <= long.MaxValue ? Boxes.Int((long)big) : big;
                }
            case "float":
                return Str(inner) switch
                {
                    "nan" => double.NaN,
                    "inf" => double.PositiveInfinity,
                    "-inf" => double.NegativeInfinity,
                    var text when text.Length < 40 && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
                        && double.IsFinite(d) => d,
                    var other => throw Bad(inner, $"'{other}' is not a float"),
                };
            case "builtin":
                return BuiltinNames.TryGetFunction(Str(inner), out var function) ? function : throw Bad(inner, $"no built-in function '{Str(inner)}'");
            case "type":
                return BuiltinNames.TryGetType(Str(inner), out var type) ? type : throw Bad(inner, $"no built-in type '{Str(inner)}'");
            case "native":
                return BuiltinNames.TryGetNative(Str(inner), out var native) ? native : throw Bad(inner, $"no built-in method '{Str(inner)}'");
            case "const":
                return BuiltinNames.TryGetConstant(Str(inner), out var constant) ? constant : throw Bad(inner, $"no constant '{Str(inner)}'");
            case "module":
                {
                    var name = Str(inner);
                    if (name == Builtins.Prelude.ModuleName) return _vm.PreludeModule;
                    return _vm.Modules.GetValueOrDefault(name) ?? throw Bad(inner, $"module '{name}' is not in the pickle's modules");
                }
            case "tasklet":
                return TaskletRef(inner);
            case PickledText.Tag:
                return InlineString(LoneSurrogateText(token)!);
            case "def":
                return OwnDef(Str(inner).Contains(':') ? Str(inner) : "__main__:" + Str(inner), inner);
            default:
                throw Bad(token, $"unknown value tag '{tag}'");
        }
    }

    private readonly Dictionary<string, string> _inlineStrings = new(StringComparer.Ordinal);
    /// <summary>The values whose inline occurrences are each a string of its own ("separateStrings").</summary>
    private HashSet<string>? _separateStrings;

    /// <summary>The text of a {"utf16": hex} value (a str with a lone surrogate, see PickledText), a new object; null for another value.</summary>
    internal static string? LoneSurrogateText(PNode token)
    {
        if (token is not PObject { Count: 1 } o || o.FirstProperty is not (PickledText.Tag, { } hex)) return null;
        return PickledText.FromHex(Str(hex)) ?? throw Bad(hex, "expected UTF-16 code units, four hex digits each");
    }

    /// <summary>Inline strings of equal value are one object, but for the values listed separate (Pickler.SharedValues says why).</summary>
    private string InlineString(string text)
    {
        if (_separateStrings != null && _separateStrings.Contains(text)) return text;
        if (_inlineStrings.TryGetValue(text, out var made)) return made;
        // The program's constant of that value (constants are interned), or a built-in's literal.
        if (string.IsInterned(text) is { } constant) text = constant;
        _inlineStrings[text] = text;
        return text;
    }

    private readonly Dictionary<string, PyFunction> _ownDefs = new();

    /// <summary>
    /// The function a module's top-level `def NAME` makes ("module:NAME"): one object per name, so
    /// every reference to it in the pickle gets the same function, which the module's global NAME holds.
    /// </summary>
    private PyFunction OwnDef(string qualified, PNode token)
    {
        if (_ownDefs.TryGetValue(qualified, out var made)) return made;
        int colon = qualified.IndexOf(':');
        var moduleName = qualified[..colon];
        var name = qualified[(colon + 1)..];
        if (moduleName == Builtins.Prelude.ModuleName)
        {
            // A built-in written in script (on a frame's stack, say): the fresh VM's own object.
            return _vm.PreludeModule.Globals.TryGetValue(name, out var builtin) && builtin is PyFunction prelude && Pickler.IsOwnDef(prelude)
                ? prelude
                : throw Bad(token, $"the built-ins have no function '{name}'");
        }
        var module = _vm.Modules.GetValueOrDefault(moduleName) ?? throw Bad(token, $"module '{moduleName}' is not in the pickle's modules");
        var code = _program.Function(moduleName, name);
        if (code == null || code.QualifiedName != code.Name || code.IsClassBody)
            throw Bad(token, $"the program has no top-level function '{name}' in module '{moduleName}'");
        if (code.FreeNames.Length > 0) throw Bad(token, $"'{name}' needs a closure");
        made = new PyFunction(code, module, Array.Empty<object>(), null, Array.Empty<Cell>());
        _ownDefs[qualified] = made;
        return made;
    }

    internal PyException Exception(PNode token) => Value(token) as PyException ?? throw Bad(token, "expected an exception");

    private Tasklet TaskletRef(PNode token)
    {
        var id = Int(token, 0, int.MaxValue);
        return _tasklets.GetValueOrDefault(id) ?? throw Bad(token, $"there is no tasklet {id}");
    }

    /// <summary>
    /// A tasklet waiting in a channel's queue or on a future or a tasklet. It must be blocked, and
    /// wait in one place only: whatever it waits on wakes it, and a tasklet woken twice would run
    /// twice (a second time with no frames left), a finished one would come back to life. What it
    /// waits for, [reason], is what it is blocked on (deadlock reports, `wf stack`).
    /// </summary>
    internal Tasklet BlockedTasklet(PNode token, string reason)
    {
        var t = TaskletRef(token);
        if (t.State != TaskletState.Blocked) throw Bad(token, $"tasklet {t.Id} waits here but is not blocked");
        if (!_waiting.Add(t)) throw Bad(token, $"tasklet {t.Id} waits in two places");
        t.BlockedOn = reason;
        return t;
    }

    private readonly HashSet<Tasklet> _waiting = new(ReferenceEqualityComparer.Instance);
}
