using System.Text;
using Workflow.Values;

namespace Workflow.Compiler;

/// <summary>Renders code objects as text for `wf dis`: instructions with lines and arguments, and each resume site with its live variables.</summary>
internal static class Disassembler
{
    public static string Disassemble(CodeObject module)
    {
        var sb = new StringBuilder();
        var pending = new Queue<CodeObject>();
        pending.Enqueue(module);
        while (pending.Count > 0)
        {
            var code = pending.Dequeue();
            Append(sb, code);
            foreach (var c in code.Constants.OfType<CodeObject>()) pending.Enqueue(c);
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, CodeObject code)
    {
        sb.Append($"== {code.QualifiedName} ({code.FileName}:{code.FirstLine})");
        if (code.IsGenerator) sb.Append(" generator");
        sb.Append('\n');
        if (code.LocalNames.Length > 0) sb.Append("   locals: ").Append(string.Join(", ", code.LocalNames)).Append('\n');
        if (code.CellNames.Length > 0) sb.Append("   cells: ").Append(string.Join(", ", code.CellNames)).Append('\n');
        if (code.FreeNames.Length > 0) sb.Append("   free: ").Append(string.Join(", ", code.FreeNames)).Append('\n');
        int lastLine = -1;
        for (int i = 0; i < code.Instructions.Length; i++)
        {
            var op = (OpCode)(code.Instructions[i] & 0xFF);
            int arg = code.Instructions[i] >> 8;
            var line = code.Lines[i] != lastLine ? code.Lines[i].ToString() : "";
            lastLine = code.Lines[i];
            sb.Append($"{line,5} {i,5} {op,-18} {Describe(code, op, arg)}");
            if (code.HandlerOf[i] >= 0) sb.Append($"  [handler → {code.Handlers[code.HandlerOf[i]].Target}]");
            sb.Append('\n');
            var site = code.ResumeSiteOf(i);
            if (site != null && Emitter.IsSafePoint(op))
                sb.Append($"              resume site {site.Id} (stack {site.StackDepth}): live {(site.LiveLocals.Length == 0 ? "-" : string.Join(", ", site.LiveLocals))}\n");
        }
        sb.Append('\n');
    }

    private static string Describe(CodeObject code, OpCode op, int arg) => op switch
    {
        OpCode.LoadConst => arg.ToString() + " (" + ConstantText(code.Constants[arg]) + ")",
        OpCode.LoadFast or OpCode.StoreFast or OpCode.DeleteFast or OpCode.LoadFastConstBinary or OpCode.LoadFastLoadFast => $"{arg} ({code.LocalNames[arg]})",
        OpCode.LoadDeref or OpCode.StoreDeref or OpCode.DeleteDeref or OpCode.LoadClosure =>
            $"{arg} ({(arg < code.CellNames.Length ? code.CellNames[arg] : code.FreeNames[arg - code.CellNames.Length])})",
        OpCode.LoadGlobal or OpCode.StoreGlobal or OpCode.DeleteGlobal or OpCode.LoadName or OpCode.StoreName or OpCode.DeleteName
            or OpCode.LoadAttr or OpCode.LoadMethod or OpCode.StoreAttr or OpCode.DeleteAttr or OpCode.ImportName or OpCode.ImportFrom => $"{arg} ({code.Names[arg]})",
        OpCode.BinaryOp => $"{arg & 0xFF} ({(Syntax.BinaryOperator)(arg & 0xFF)}{((arg & 0x100) != 0 ? ", in place" : "")})",
        OpCode.CompareOp or OpCode.CompareJumpIfFalse => $"{arg} ({new[] { "==", "!=", "<", "<=", ">", ">=" }[arg]})",
        _ when Liveness.IsJump(op) => $"to {arg}",
        _ => arg == 0 ? "" : arg.ToString(),
    };

    private static string ConstantText(object c) => c switch
    {
        CodeObject code => $"<code {code.QualifiedName}>",
        // repr refuses an int of more than 4300 digits (some 14,284 bits), as CPython's does; a
        // hex literal can make one.
        System.Numerics.BigInteger big when big.GetBitLength() > 14_000 => $"<int of {big.GetBitLength()} bits>",
        _ => Ops.Repr(c),
    };
}
