using Workflow.Runtime;

namespace Workflow.Tests;

/// <summary>Compiles and runs a program given as text, for tests.</summary>
internal static class Run
{
    public static (RunResult Result, string Output) Program(string source, string? input = null, InterpreterOptions? options = null, string file = "test.wf")
    {
        var program = WorkflowProgram.Compile(source, file);
        Assert.False(program.HasErrors, string.Join("\n", program.Diagnostics));
        var output = new StringWriter();
        var result = program.Run(input, output, options);
        return (result, output.ToString());
    }

    /// <summary>Runs and expects success; returns what it printed.</summary>
    public static string Output(string source, string? input = null, InterpreterOptions? options = null)
    {
        var (result, output) = Program(source, input, options);
        Assert.True(result.Status == ProgramStatus.Completed, result.ErrorText);
        return output;
    }
}
