using Microsoft.Extensions.Logging;
using Workflow.Boundary;
using Workflow.Durable;

namespace Workflow.Hosting;

/// <summary>Deploys a folder of <c>.wf</c> files, as <c>wf serve --programs DIR</c> and <see cref="WorkflowOptions.ProgramsDirectory"/> do.</summary>
internal static class ProgramFolder
{
    /// <summary>
    /// Compiles every <c>.wf</c> file under [directory] (each with the modules it imports) and, only
    /// when all compile and their names keep NameRules (a workflow's name is its file name), deploys
    /// each as the current version of its file name. Throws one
    /// InvalidOperationException listing every diagnostic otherwise, and deploys nothing.
    /// Returns the names deployed, in path order.
    /// </summary>
    public static IReadOnlyList<string> Deploy(WorkflowClient client, string directory, ILogger logger)
    {
        var root = Path.GetFullPath(directory);
        // Build output (a C# host's bin/ and obj/ may hold copies of its .wf files) and hidden folders are not programs.
        var files = Directory.EnumerateFiles(root, "*.wf", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).SkipLast(1).Any(d => d is "bin" or "obj" || d.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        var programs = new List<(string Name, WorkflowProgram Program)>();
        var problems = new List<string>();
        foreach (var file in files)
        {
            // Tracebacks and diagnostics name the file as `wf` does: relative to the working directory when under it.
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
            var program = WorkflowProgram.Load(relative.StartsWith("..", StringComparison.Ordinal) ? file : relative);
            var name = Path.GetFileNameWithoutExtension(file);
            if (program.HasErrors)
            {
                problems.AddRange(program.Diagnostics.Select(d => d.ToString()));
                continue;
            }
            try
            {
                WorkflowClient.CheckNames(name, program);
                programs.Add((name, program));
            }
            catch (InvalidNameException e)
            {
                problems.Add($"{relative}: {e.Message}");
            }
        }
        var duplicates = programs.GroupBy(p => p.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var name in duplicates)
            problems.Add($"two files under {root} are named {name}.wf; a workflow name must be unique");
        if (problems.Count > 0)
            throw new InvalidOperationException($"the programs under {root} were not deployed:\n" + string.Join("\n", problems));
        foreach (var (name, program) in programs)
        {
            client.Deploy(name, program);
            logger.LogInformation("deployed {Workflow} (version {Version})", name, program.SourceHash[..12]);
        }
        return programs.Select(p => p.Name).ToList();
    }
}
