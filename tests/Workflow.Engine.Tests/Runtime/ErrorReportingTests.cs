using Workflow.Runtime;

namespace Workflow.Tests.Runtime;

public class ErrorReportingTests
{
    [Fact]
    public void An_uncaught_exception_prints_a_traceback_naming_each_frame_file_line_function_and_source_line()
    {
        var (result, output) = Run.Program("""
            def parse(text):
                return int(text)

            def load(items):
                return [parse(x) for x in items]

            print("start")
            load(["1", "two"])
            """, file: "orders.wf");
        Assert.Equal(ProgramStatus.Failed, result.Status);
        Assert.Equal("start\n", output);
        Assert.Equal("""
            Traceback (most recent call last):
              File "orders.wf", line 8, in <module>
                load(["1", "two"])
              File "orders.wf", line 5, in load
                return [parse(x) for x in items]
              File "orders.wf", line 5, in <listcomp>
                return [parse(x) for x in items]
              File "orders.wf", line 2, in parse
                return int(text)
            ValueError: invalid literal for int() with base 10: 'two'

            """, result.ErrorText);
        Assert.Equal("ValueError: invalid literal for int() with base 10: 'two'", result.ErrorSummary);
    }

    [Fact]
    public void A_traceback_quotes_the_source_line_when_the_file_is_on_disk()
    {
        var dir = Directory.CreateTempSubdirectory();
        var path = Path.Combine(dir.FullName, "boom.wf");
        File.WriteAllText(path, "def f():\n    raise KeyError('order-7')\nf()\n");
        var result = WorkflowProgram.Load(path).Run(null, new StringWriter());
        Assert.Equal($"""
            Traceback (most recent call last):
              File "{path}", line 3, in <module>
                f()
              File "{path}", line 2, in f
                raise KeyError('order-7')
            KeyError: 'order-7'

            """, result.ErrorText);
    }

    [Fact]
    public void Chained_exceptions_show_the_cause()
    {
        var (result, _) = Run.Program("""
            try:
                {}["k"]
            except KeyError as e:
                raise ValueError("bad config") from e
            """, file: "c.wf");
        Assert.Contains("KeyError: 'k'\n\nThe above exception was the direct cause of the following exception:\n", result.ErrorText);
        Assert.EndsWith("ValueError: bad config\n", result.ErrorText);
    }

    [Fact]
    public void Compile_errors_are_reported_as_file_line_col_several_per_file()
    {
        var program = WorkflowProgram.Compile("x = 1 +\ny = 2\nz = 3 +* 4\nwith open('f') as fh:\n    pass\nw = [1, 2\n", "bad.wf");
        Assert.True(program.HasErrors);
        var lines = program.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.True(lines.Count >= 3, string.Join("\n", lines));
        Assert.All(lines, l => Assert.Matches(@"^bad\.wf:\d+:\d+: .+", l));
        Assert.Contains(lines, l => l.Contains("'with' statements are not supported"));
    }

    [Fact]
    public void Semantic_errors_found_by_the_compiler_carry_their_position()
    {
        var program = WorkflowProgram.Compile("def f():\n    pass\nbreak\nreturn 5\n", "sem.wf");
        var lines = program.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.Contains("sem.wf:3:1: 'break' outside loop", lines);
        Assert.Contains("sem.wf:4:1: 'return' outside function", lines);
    }

    [Fact]
    public void A_nonlocal_without_a_binding_is_reported_at_its_statement()
    {
        var program = WorkflowProgram.Compile("def outer():\n    def inner():\n        nonlocal missing\n        missing = 1\n", "nl.wf");
        Assert.Contains("nl.wf:3:9: no binding for nonlocal 'missing' found", program.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void A_tab_in_indentation_is_a_compile_error()
    {
        var program = WorkflowProgram.Compile("if True:\n\tx = 1\n", "tabs.wf");
        Assert.True(program.HasErrors);
        Assert.StartsWith("tabs.wf:2:", program.Diagnostics[0].ToString());
    }
}
