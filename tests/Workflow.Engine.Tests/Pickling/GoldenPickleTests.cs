using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Runtime;
using Workflow.Tests.Conformance;

namespace Workflow.Tests.Pickling;

/// <summary>
/// Pickles written by an earlier build must resume on this one. Each fixture program in
/// Pickling/Golden/ has the pickle it wrote when it first waited for a signal (NAME.v1.json, the
/// format version in the name), the signals to send (NAME.signals.json) and what it prints from
/// there on (NAME.expected). The test loads the checked-in pickle into this build and resumes it.
/// To rewrite them after a deliberate format change (bump the version, keep the old files):
/// WF_REGENERATE_GOLDEN=1 dotnet test --filter GoldenPickle.
/// </summary>
public class GoldenPickleTests
{
    private static readonly string Folder = Path.Combine(Corpus.Root, "tests", "Workflow.Engine.Tests", "Pickling", "Golden");

    public static IEnumerable<object[]> Fixtures() =>
        Directory.EnumerateFiles(Folder, "*.wf").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) }).OrderBy(f => (string)f[0]);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Golden_pickle_resumes_to_the_expected_output(string name)
    {
        if (Environment.GetEnvironmentVariable("WF_REGENERATE_GOLDEN") == "1") Regenerate(name);
        var program = Load(name);
        var pickle = File.ReadAllBytes(Path.Combine(Folder, $"{name}.v{Workflow.Pickling.PickleFormat.Version}.json"));
        var output = new StringWriter();
        var result = program.Resume(pickle, Signals(name), output);
        Assert.True(result.Status == ProgramStatus.Completed, result.ErrorText);
        output.Write(result.ResultJson + "\n");
        Assert.Equal(File.ReadAllText(Path.Combine(Folder, name + ".expected")), output.ToString());
    }

    [Fact]
    public void Every_fixture_has_a_golden_pickle_of_the_current_format_and_an_expected_output()
    {
        var names = Fixtures().Select(f => (string)f[0]).ToList();
        Assert.True(names.Count >= 3);
        foreach (var name in names)
        {
            Assert.True(File.Exists(Path.Combine(Folder, $"{name}.v{Workflow.Pickling.PickleFormat.Version}.json")), name);
            Assert.True(File.Exists(Path.Combine(Folder, name + ".expected")), name);
        }
    }

    private static WorkflowProgram Load(string name)
    {
        var program = WorkflowProgram.Compile(File.ReadAllText(Path.Combine(Folder, name + ".wf")), name + ".wf");
        Assert.False(program.HasErrors, string.Join("\n", program.Diagnostics));
        return program;
    }

    private static (string, string)[] Signals(string name) =>
        JArray.Parse(File.ReadAllText(Path.Combine(Folder, name + ".signals.json")))
            .Select(s => ((string)s[0]!, s[1]!.ToString(Formatting.None))).ToArray();

    /// <summary>Runs the fixture until it first waits and writes its pickle, then resumes a copy to write the expected output.</summary>
    private static void Regenerate(string name)
    {
        var program = Load(name);
        var input = File.ReadAllText(Path.Combine(Folder, name + ".input.json"));
        var result = program.Run(input, new StringWriter());
        Assert.Equal(ProgramStatus.Waiting, result.Status);
        var pretty = JToken.Parse(System.Text.Encoding.UTF8.GetString(result.Pickle!)).ToString(Formatting.Indented) + "\n";
        File.WriteAllText(Path.Combine(Folder, $"{name}.v{Workflow.Pickling.PickleFormat.Version}.json"), pretty);
        var output = new StringWriter();
        var resumed = program.Resume(result.Pickle!, Signals(name), output);
        Assert.Equal(ProgramStatus.Completed, resumed.Status);
        output.Write(resumed.ResultJson + "\n");
        File.WriteAllText(Path.Combine(Folder, name + ".expected"), output.ToString());
    }
}
