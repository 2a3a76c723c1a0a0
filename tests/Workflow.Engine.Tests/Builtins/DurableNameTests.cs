using Workflow.Runtime;

namespace Workflow.Tests.Builtins;

/// <summary>signal() and child() hold the names a workflow writes to the rules clients are held to (NameRules).</summary>
public class DurableNameTests
{
    [Theory]
    [InlineData("signal('approve/reject')", "ValueError: signal(): signal name 'approve/reject': character 8 is '/': a signal name cannot contain '/'")]
    [InlineData("signal('go\\u202e')", "ValueError: signal(): signal name 'go\\u202e': character 3 is U+202E, a format character")]
    [InlineData("signal('')", "ValueError: signal(): signal name cannot be empty")]
    [InlineData("child('billing run')", "ValueError: child(): workflow name 'billing run': character 8 is U+0020; a workflow name is made of ASCII letters")]
    [InlineData("child('pay\\u200bment', 1)", "ValueError: child(): workflow name 'pay\\u200bment': character 4 is U+200B, a format character")]
    public void A_name_no_client_could_use_is_a_ValueError_where_the_workflow_writes_it(string call, string error)
    {
        var (result, _) = Run.Program($"def main(input):\n    return await {call}\n");
        Assert.Equal(ProgramStatus.Failed, result.Status);
        Assert.StartsWith(error, result.ErrorSummary);
    }

    [Fact]
    public void A_name_that_keeps_the_rules_is_waited_for()
    {
        var (result, _) = Run.Program("def main(input):\n    return await signal('decision.v2')\n");
        Assert.Equal(ProgramStatus.Waiting, result.Status);
    }
}
