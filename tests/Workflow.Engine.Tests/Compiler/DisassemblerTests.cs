namespace Workflow.Tests.Compiler;

public class DisassemblerTests
{
    /// <summary>
    /// `wf dis` shows an int constant too long for repr (over 4300 digits, which repr refuses as
    /// CPython's does) by its size; it used to throw (found by CompilerFuzzTests).
    /// </summary>
    [Fact]
    public void A_huge_int_constant_is_shown_by_its_size()
    {
        var program = WorkflowProgram.Compile("x = 0x" + new string('f', 5_000) + "\n", "huge.wf");
        Assert.Contains("(<int of 20000 bits>)", program.Disassemble());
    }
}
