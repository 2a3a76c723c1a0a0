using System.Numerics;
using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling;

/// <summary>
/// The checks on a frame's operand stack, made once every heap object is complete, and the
/// objects only the interpreter holds, which a pickle may put nowhere else.
/// </summary>
internal static class StackCheck
{
    /// <summary>
    /// Checks the values a frame's operand stack holds against what its code guarantees there. The
    /// interpreter trusts the compiler: ListAppend casts its accumulator to a list, BuildString its
    /// parts to strings, CallMethod calls a built-in method on the receiver LoadMethod found it on.
    /// A pickle could put anything in those slots, so each is held to what the instruction that
    /// pushed it pushes (see StackShapes). Values only the interpreter makes (a built-in type's
    /// method before it is bound, the no-receiver marker, a code object) are allowed in the slots
    /// that hold them and nowhere else.
    /// </summary>
    public static void Check(Frame frame, PObject token)
    {
        if (frame.Sp == 0) return;
        var shapes = StackShapes.Of(frame.Code);
        var state = frame.Ip < shapes.Length ? shapes[frame.Ip] : null;
        var items = Arr(token["stack"]!);
        // The frame is at one of its resume sites (checked before); one the analysis never reaches is in dead code (after a
        // `return` in a finally, say) where no run stops.
        if (state == null || state.Length < frame.Sp) throw Bad(items, $"{frame.Code.QualifiedName} cannot hold {frame.Sp} values on its stack there");
        for (int i = 0; i < frame.Sp; i++)
        {
            var value = frame.Stack[i];
            var slot = state[i];
            bool ok = slot.Shape switch
            {
                SlotShape.Constant => SameConstant(value, frame.Code.Constants[slot.Arg]),
                SlotShape.List => value is PyList,
                SlotShape.Dict => value is PyDict,
                SlotShape.String => value is string,
                SlotShape.Tuple => value is PyTuple,
                SlotShape.Function => value is PyFunction fn && (slot.Arg < 0 || ReferenceEquals(fn.Code, frame.Code.Constants[slot.Arg])),
                SlotShape.Exception => value is PyException,
                SlotShape.HandledOrNone => value is PyException or PyNone,
                SlotShape.Module => value is PyModule,
                SlotShape.Method => i + 1 < frame.Sp && state[i + 1].Shape == SlotShape.MethodSelf
                    && IsLoadedMethod(value, frame.Stack[i + 1], frame.Code.Names[slot.Arg]),
                // Paired with its method by the Method slot's check.
                SlotShape.MethodSelf => value == NoSelf.Value || !IsInternal(value),
                _ => !IsInternal(value),
            };
            if (!ok) throw Bad(items[i], $"the value does not fit the operand stack of {frame.Code.QualifiedName} there ({ShapeName(slot, frame.Code)} expected)");
        }
    }

    /// <summary>Objects the interpreter keeps for itself: a script never holds one, so a pickle may not put one in a variable or container.</summary>
    public static bool IsInternal(object value) =>
        value is NativeMethod or NoSelf or CodeObject or Cell || value == PyChannel.EndOfIteration;

    /// <summary>What LoadMethod leaves: a class's function with its instance, a built-in type's method with a value of that type, or any callable without a receiver.</summary>
    private static bool IsLoadedMethod(object callable, object self, string name)
    {
        if (self == NoSelf.Value) return !IsInternal(callable);
        if (callable is PyFunction) return self is PyInstance && !IsInternal(self);
        return callable is NativeMethod native && self is not (PyInstance or PyClass or PyModule or PySuper) && !IsInternal(self)
            && BuiltinTypes.TypeOf(self).NativeMethods?.GetValueOrDefault(name) == native;
    }

    /// <summary>A constant pushed by LoadConst is still that constant: same kind, same value (a tuple item by item).</summary>
    private static bool SameConstant(object value, object constant) => (value, constant) switch
    {
        (PyNone, PyNone) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b,
        (BigInteger a, BigInteger b) => a == b,
        (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
        (string a, string b) => a == b,
        (PyTuple a, PyTuple b) => a.Items.Length == b.Items.Length && a.Items.Zip(b.Items).All(p => SameConstant(p.First, p.Second)),
        _ => ReferenceEquals(value, constant),
    };

    private static string ShapeName(StackSlot slot, CodeObject code) => slot.Shape switch
    {
        SlotShape.Constant => code.Constants[slot.Arg] is CodeObject constantCode ? $"the code of {constantCode.QualifiedName}" : $"the constant {Ops.Repr(code.Constants[slot.Arg])}",
        SlotShape.Function => "a function",
        SlotShape.HandledOrNone => "an exception or None",
        SlotShape.Method => $"the method '{code.Names[slot.Arg]}' with its receiver",
        SlotShape.MethodSelf => "a method's receiver",
        SlotShape.Any => "a value a script can hold",
        var other => "a " + other.ToString().ToLowerInvariant(),
    };

    /// <summary>What an object only the interpreter holds is, for errors.</summary>
    public static string InternalName(object value) => value switch
    {
        NativeMethod => "built-in type's unbound method",
        NoSelf => "no-receiver marker",
        CodeObject => "code object",
        Cell => "cell",
        _ => "channel's end-of-iteration marker",
    };
}
