using Microsoft.Extensions.Options;

namespace Workflow.Hosting;

/// <summary>Checks <see cref="WorkflowOptions"/> at start (ValidateOnStart): one failure per problem, all reported together.</summary>
internal sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
