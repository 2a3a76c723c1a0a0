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
            sb.Append($"{line,5} {i,5} {op,-18} {Describe(code, i, op, arg)}");
            if (code.HandlerOf[i] >= 0) sb.Append($"  [handler → {code.Handlers[code.HandlerOf[i]].Target}]");
            sb.Append('\n');
            // A fused instruction keeps the resume site of the first instruction it was written over.
            if (code.ResumeSiteOf(i) is { } site)
                sb.Append($"              resume site {site.Name} (stack {site.StackDepth}): live {(site.LiveLocals.Length == 0 ? "-" : string.Join(", ", site.LiveLocals))}\n");
        }
        sb.Append('\n');
    }

    private static string Describe(CodeObject code, int at, OpCode op, int arg) => OpCodeTable.Of(op).Operand switch
    {
        Operand.Constant => $"{arg} ({ConstantText(code.Constants[arg])})",
        Operand.Local => $"{arg} ({code.LocalNames[arg]})",
        Operand.Cell => $"{arg} ({(arg < code.CellNames.Length ? code.CellNames[arg] : code.FreeNames[arg - code.CellNames.Length])})",
        Operand.Global or Operand.Attribute or Operand.Module => $"{arg} ({code.Names[arg]})",
        Operand.BinaryOperator => $"{arg & 0xFF} ({(Syntax.BinaryOperator)(arg & 0xFF)}{((arg & 0x100) != 0 ? ", in place" : "")})",
        // The fused compare-and-jump finds its target in the jump written after it.
        Operand.Comparison when op == OpCode.CompareJumpIfFalse => $"{arg} ({Comparisons[arg]}) to {code.Instructions[at + 1] >> 8}",
        Operand.Comparison => $"{arg} ({Comparisons[arg]})",
        Operand.Target => $"to {arg}",
        Operand.Counts => $"{arg & 0xFF}, {arg >> 8}",
        _ => arg == 0 ? "" : arg.ToString(),
    };

    private static readonly string[] Comparisons = { "==", "!=", "<", "<=", ">", ">=" };

    private static string ConstantText(object c) => c switch
    {
        CodeObject code => $"<code {code.QualifiedName}>",
        // repr refuses an int of more than 4300 digits (some 14,284 bits), as CPython's does; a
        // hex literal can make one.
        System.Numerics.BigInteger big when big.GetBitLength() > 14_000 => $"<int of {big.GetBitLength()} bits>",
        _ => Ops.Repr(c),
    };
}
