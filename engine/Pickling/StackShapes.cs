using System.Runtime.CompilerServices;
using Workflow.Compiler;

namespace Workflow.Pickling;

internal enum SlotShape : byte { Any, Constant, List, Dict, String, Tuple, Function, Exception, HandledOrNone, Module, Method, MethodSelf, Cell }

/// <summary>What one operand-stack slot holds: [Arg] is the constant's index (Constant), the code constant's or -1 (Function), the name's (Method).</summary>
internal readonly record struct StackSlot(SlotShape Shape, int Arg = 0)
{
    public static readonly StackSlot Any = new(SlotShape.Any);
}

/// <summary>
/// The shape of the operand stack before each instruction of a function, found by running its
/// bytecode abstractly: every path from the entry and from each exception handler, each slot
/// tagged with what the instruction that pushed it pushes. Where paths meet with different
/// tags the slot becomes Any, which only ever checks less. Computed once per code object.
/// </summary>
internal static class StackShapes
{
    private static readonly ConditionalWeakTable<CodeObject, StackSlot[]?[]> Cache = new();

    public static StackSlot[]?[] Of(CodeObject code) => Cache.GetValue(code, Analyse);

    private static StackSlot[]?[] Analyse(CodeObject code)
    {
        var ins = code.Instructions;
        var states = new StackSlot[]?[ins.Length + 1];
        var work = new Stack<int>();

        void Merge(int target, List<StackSlot> state)
        {
            var known = states[target];
            if (known == null)
            {
                states[target] = state.ToArray();
                work.Push(target);
                return;
            }
            if (known.Length != state.Count)
                throw new PickleException("", $"{code.QualifiedName}: stack depths {known.Length} and {state.Count} meet at offset {target}: this is a bug in the engine");
            bool changed = false;
            for (int i = 0; i < known.Length; i++)
            {
                if (known[i] == state[i] || known[i] == StackSlot.Any) continue;
                known[i] = StackSlot.Any;
                changed = true;
            }
            if (changed) work.Push(target);
        }

        Merge(0, new List<StackSlot>());
        while (work.Count > 0)
        {
            int at = work.Pop();
            if (at >= ins.Length) continue;
            var before = states[at]!;
            int h = code.HandlerOf[at];
            if (h >= 0 && before.Length >= code.Handlers[h].StackDepth)
            {
                // An error here cuts the stack to the handler's depth and pushes the exception.
                var entry = before.Take(code.Handlers[h].StackDepth).ToList();
                entry.Add(new StackSlot(SlotShape.Exception));
                Merge(code.Handlers[h].Target, entry);
            }
            // A fused instruction is its sequence's first member, whose other members follow in place.
            var op = OpCodeTable.Unfused((OpCode)(ins[at] & 0xFF));
            var facts = OpCodeTable.Of(op);
            int arg = ins[at] >> 8;
            var s = before.ToList();
            bool jumps = Step(op, arg, s, out var jumpState, out bool fallsThrough);
            if (jumps != facts.Jumps || fallsThrough != facts.FallsThrough)
                throw new PickleException("", $"{code.QualifiedName}: the unpickler's stack analysis of {op} disagrees with OpCodeTable on where it goes: this is a bug in the engine");
            if (jumps)
            {
                if (jumpState.Count != before.Length + OpCodeTable.StackEffect(op, arg, jump: true))
                    throw new PickleException("", $"{code.QualifiedName}: the unpickler's stack analysis of {op} disagrees with the compiler: this is a bug in the engine");
                Merge(arg, jumpState);
            }
            if (fallsThrough)
            {
                if (s.Count != before.Length + OpCodeTable.StackEffect(op, arg, jump: false))
                    throw new PickleException("", $"{code.QualifiedName}: the unpickler's stack analysis of {op} disagrees with the compiler: this is a bug in the engine");
                Merge(at + 1, s);
            }
        }
        return states;
    }

    /// <summary>
    /// Applies instruction [op] to stack [s] (its fall-through successor's stack) and says
    /// whether it can jump to its argument (with [jump]'s stack) and whether it falls through.
    /// </summary>
    private static bool Step(OpCode op, int arg, List<StackSlot> s, out List<StackSlot> jump, out bool fallsThrough)
    {
        jump = s;
        fallsThrough = true;
        void Pop(int n) => s.RemoveRange(s.Count - n, n);
        void Push(SlotShape shape, int a = 0) => s.Add(new StackSlot(shape, a));
        void PushAny(int n = 1)
        {
            for (int i = 0; i < n; i++) s.Add(StackSlot.Any);
        }
        switch (op)
        {
            case OpCode.Nop or OpCode.DeleteFast or OpCode.DeleteDeref or OpCode.DeleteGlobal or OpCode.DeleteName:
                return false;
            case OpCode.LoadConst:
                Push(SlotShape.Constant, arg);
                return false;
            case OpCode.LoadFast or OpCode.LoadDeref or OpCode.LoadGlobal or OpCode.LoadName:
                PushAny();
                return false;
            case OpCode.LoadClosure:
                Push(SlotShape.Cell);
                return false;
            case OpCode.StoreFast or OpCode.StoreDeref or OpCode.StoreGlobal or OpCode.StoreName or OpCode.PopTop:
                Pop(1);
                return false;
            case OpCode.Copy:
                s.Add(s[^arg]);
                return false;
            case OpCode.Swap:
                (s[^1], s[^arg]) = (s[^arg], s[^1]);
                return false;
            case OpCode.BinaryOp or OpCode.CompareOp or OpCode.IsOp or OpCode.ContainsOp or OpCode.BinarySubscr:
                Pop(2);
                PushAny();
                return false;
            case OpCode.UnaryNegative or OpCode.UnaryPositive or OpCode.UnaryNot or OpCode.UnaryInvert
                or OpCode.GetIter or OpCode.CloseIterator or OpCode.LoadAttr or OpCode.YieldValue or OpCode.Await or OpCode.Materialize:
                Pop(1);
                PushAny();
                return false;
            case OpCode.Jump or OpCode.JumpBackward:
                fallsThrough = false;
                return true;
            case OpCode.PopJumpIfFalse or OpCode.PopJumpIfTrue:
                Pop(1);
                return true;
            case OpCode.JumpIfFalseOrPop or OpCode.JumpIfTrueOrPop:
                jump = s.ToList();
                Pop(1);
                return true;
            case OpCode.ForIter:
                // Exhausted: the iterator is popped. Otherwise the next value is pushed above it.
                jump = s.Take(s.Count - 1).ToList();
                PushAny();
                return true;
            case OpCode.ForIterYieldFrom:
                // Exhausted: the sub-generator's return value replaces it.
                jump = s.Take(s.Count - 1).Append(StackSlot.Any).ToList();
                PushAny();
                return true;
            case OpCode.BuildList:
                Pop(arg);
                Push(SlotShape.List);
                return false;
            case OpCode.BuildTuple:
                Pop(arg);
                Push(SlotShape.Tuple);
                return false;
            case OpCode.BuildString:
                Pop(arg);
                Push(SlotShape.String);
                return false;
            case OpCode.BuildSlice:
                Pop(arg);
                PushAny();
                return false;
            case OpCode.BuildDict:
                Pop(2 * arg);
                Push(SlotShape.Dict);
                return false;
            case OpCode.ListExtend or OpCode.DictMerge or OpCode.ListAppend:
                // The list or dict below stays where it is.
                Pop(1);
                return false;
            case OpCode.ListToTuple:
                Pop(1);
                Push(SlotShape.Tuple);
                return false;
            case OpCode.DictSet:
                Pop(2);
                return false;
            case OpCode.FormatValue:
                Pop((arg & 4) != 0 ? 2 : 1);
                Push(SlotShape.String);
                return false;
            case OpCode.UnpackSequence:
                Pop(1);
                PushAny(arg);
                return false;
            case OpCode.UnpackEx:
                Pop(1);
                PushAny((arg & 0xFF) + (arg >> 8) + 1);
                return false;
            case OpCode.StoreAttr or OpCode.DeleteSubscr:
                Pop(2);
                return false;
            case OpCode.DeleteAttr:
                Pop(1);
                return false;
            case OpCode.StoreSubscr:
                Pop(3);
                return false;
            case OpCode.Call:
                Pop(arg + 1);
                PushAny();
                return false;
            case OpCode.CallKw or OpCode.CallMethod:
                Pop(arg + 2);
                PushAny();
                return false;
            case OpCode.CallEx:
                Pop(arg + 2);
                PushAny();
                return false;
            case OpCode.MakeFunction:
                {
                    var codeSlot = s[^1];
                    Pop(1 + System.Numerics.BitOperations.PopCount((uint)(arg & 7)));
                    Push(SlotShape.Function, codeSlot.Shape == SlotShape.Constant ? codeSlot.Arg : -1);
                    return false;
                }
            case OpCode.BuildClass:
                Pop(3);
                PushAny();
                return false;
            case OpCode.ReturnValue or OpCode.RaiseVarargs or OpCode.Reraise or OpCode.RaiseAssertion:
                fallsThrough = false;
                return false;
            case OpCode.PushExcInfo:
                Pop(1);
                Push(SlotShape.HandledOrNone);
                Push(SlotShape.Exception);
                return false;
            case OpCode.PopExcept:
                Pop(1);
                return false;
            case OpCode.CheckExcMatch:
                // The exception below stays; the match's bool replaces the type.
                Pop(1);
                PushAny();
                return false;
            case OpCode.ImportName:
                Push(SlotShape.Module);
                return false;
            case OpCode.ImportFrom:
                PushAny();
                return false;
            case OpCode.LoadMethod:
                Pop(1);
                Push(SlotShape.Method, arg);
                Push(SlotShape.MethodSelf);
                return false;
            default:
                throw new PickleException("", $"the unpickler's stack analysis does not know {op}: this is a bug in the engine");
        }
    }
}
