namespace Workflow.Compiler;

/// <summary>
/// Rewrites the opcode of the first instruction of a few common sequences into a fused opcode
/// (see the end of OpCode), saving dispatches in the interpreter loop. Only that one opcode byte
/// changes: every offset, jump target, handler, line and resume site stays as compiled, and the
/// rest of the sequence is still there for any jump that lands inside it.
/// </summary>
internal static class Quickening
{
    public static void Apply(CodeObject code)
    {
        var ins = code.Instructions;
        for (int i = 0; i + 1 < ins.Length; i++)
        {
            var op = Op(ins[i]);
            // The fused instruction reports errors as its last member; all members must share a handler.
            if (op == OpCode.LoadFast && i + 2 < ins.Length && Op(ins[i + 1]) == OpCode.LoadConst && Op(ins[i + 2]) == OpCode.BinaryOp
                && SameHandler(code, i, 3))
            {
                ins[i] = Fuse(ins[i], OpCode.LoadFastConstBinary);
            }
            else if (op == OpCode.CompareOp && Op(ins[i + 1]) == OpCode.PopJumpIfFalse && SameHandler(code, i, 2))
            {
                ins[i] = Fuse(ins[i], OpCode.CompareJumpIfFalse);
            }
            else if (op == OpCode.LoadFast && Op(ins[i + 1]) == OpCode.LoadFast)
            {
                ins[i] = Fuse(ins[i], OpCode.LoadFastLoadFast);
            }
        }
    }

    private static OpCode Op(int instruction) => (OpCode)(instruction & 0xFF);

    private static int Fuse(int instruction, OpCode fused) => (instruction & ~0xFF) | (int)fused;

    private static bool SameHandler(CodeObject code, int start, int count)
    {
        for (int k = 1; k < count; k++)
            if (code.HandlerOf[start + k] != code.HandlerOf[start]) return false;
        return true;
    }
}
