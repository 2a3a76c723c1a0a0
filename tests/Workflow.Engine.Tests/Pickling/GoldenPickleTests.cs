using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Runtime;
using Workflow.Tests.Conformance;

namespace Workflow.Tests.Pickling;

/// <summary>
/// Pickles written by an earlier build must resume on this one. Each fixture program in
/// Pickling/Golden/ has the pickle it wrote when it first waited for a signal, one per format
/// version (NAME.v1.json, NAME.v2.json…), the signals to send (NAME.signals.json) and what it
/// prints from there on (NAME.expected). The test loads each checked-in pickle into this build and
/// resumes it. After a deliberate format change, bump PickleFormat.Version and write the new
/// version's files, keeping the old ones: WF_REGENERATE_GOLDEN=1 dotnet test --filter GoldenPickle
/// writes NAME.v{Version}.json (only that version) and NAME.expected.
/// </summary>
public class GoldenPickleTests
{
    private static readonly string Folder = Path.Combine(Corpus.Root, "tests", "Workflow.Engine.Tests", "Pickling", "Golden");

    public static IEnumerable<object[]> Fixtures() =>
        Directory.EnumerateFiles(Folder, "*.wf").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) }).OrderBy(f => (string)f[0]);

    /// <summary>Each fixture with each format version this engine reads, from the first the fixture was written in.</summary>
    public static IEnumerable<object[]> FixtureVersions() =>
        from f in Fixtures()
        from version in Enumerable.Range(FirstVersion((string)f[0]), Workflow.Pickling.PickleFormat.Version - FirstVersion((string)f[0]) + 1)
        select new object[] { f[0], version };

    /// <summary>
    /// The format a fixture was first written in: a fixture added after a format change (a tasklet
    /// blocked where the older engine could not block) has no pickle of the older formats.
    /// </summary>
    private static int FirstVersion(string name)
    {
        for (int version = Workflow.Pickling.PickleFormat.OldestReadable; version < Workflow.Pickling.PickleFormat.Version; version++)
            if (File.Exists(Path.Combine(Folder, $"{name}.v{version}.json"))) return version;
        return Workflow.Pickling.PickleFormat.Version;
    }

    /// <summary>The fixtures written in format 1 (and every later one).</summary>
    public static IEnumerable<object[]> FormatOneFixtures() => Fixtures().Where(f => FirstVersion((string)f[0]) == 1);

    [Theory]
    [MemberData(nameof(FixtureVersions))]
    public void Golden_pickle_resumes_to_the_expected_output(string name, int version)
    {
        if (Environment.GetEnvironmentVariable("WF_REGENERATE_GOLDEN") == "1" && version == Workflow.Pickling.PickleFormat.Version) Regenerate(name);
        var program = Load(name);
        var pickle = File.ReadAllBytes(Path.Combine(Folder, $"{name}.v{version}.json"));
        Assert.Equal(version, (int)JObject.Parse(System.Text.Encoding.UTF8.GetString(pickle))["format"]!);
        var output = new StringWriter();
        var result = program.Resume(pickle, Signals(name), output);
        Assert.True(result.Status == ProgramStatus.Completed, result.ErrorText);
        output.Write(result.ResultJson + "\n");
        Assert.Equal(File.ReadAllText(Path.Combine(Folder, name + ".expected")), output.ToString());
    }

    [Fact]
    public void Every_fixture_has_a_golden_pickle_of_each_readable_format_and_an_expected_output()
    {
        var names = Fixtures().Select(f => (string)f[0]).ToList();
        Assert.True(names.Count >= 3);
        Assert.True(FormatOneFixtures().Count() >= 3);
        foreach (var name in names)
        {
            for (int version = FirstVersion(name); version <= Workflow.Pickling.PickleFormat.Version; version++)
                Assert.True(File.Exists(Path.Combine(Folder, $"{name}.v{version}.json")), $"{name}.v{version}.json");
            Assert.True(File.Exists(Path.Combine(Folder, name + ".expected")), name);
        }
    }

    /// <summary>
    /// The format-1 and format-2 pickles of a fixture were written at the same point of the same
    /// run: frame by frame, format 1's site ordinal and format 2's "kind#n" must name one site, and
    /// `wf stack` must read both alike.
    /// </summary>
    [Theory]
    [MemberData(nameof(FormatOneFixtures))]
    public void Format_1_and_format_2_name_the_same_resume_sites(string name)
    {
        var source = File.ReadAllText(Path.Combine(Folder, name + ".wf"));
        var diagnostics = new List<Workflow.Syntax.Diagnostic>();
        var module = Workflow.Compiler.ModuleCompiler.Compile(source, name + ".wf", "__main__", diagnostics)!;
        var functions = new Dictionary<string, Workflow.Compiler.CodeObject>();
        var pending = new Stack<Workflow.Compiler.CodeObject>(new[] { module });
        while (pending.Count > 0)
        {
            var code = pending.Pop();
            functions[code.QualifiedName] = code;
            foreach (var inner in code.Constants.OfType<Workflow.Compiler.CodeObject>()) pending.Push(inner);
        }
        var v1 = File.ReadAllBytes(Path.Combine(Folder, $"{name}.v1.json"));
        var v2 = File.ReadAllBytes(Path.Combine(Folder, $"{name}.v2.json"));
        var frames1 = Frames(JObject.Parse(System.Text.Encoding.UTF8.GetString(v1))).ToList();
        var frames2 = Frames(JObject.Parse(System.Text.Encoding.UTF8.GetString(v2))).ToList();
        Assert.Equal(frames1.Count, frames2.Count);
        int named = 0;
        for (int i = 0; i < frames1.Count; i++)
        {
            Assert.Equal((string)frames1[i]["function"]!, (string)frames2[i]["function"]!);
            if (frames1[i]["module"] != null) continue; // the prelude's frames: compiled from another source
            var code = functions[(string)frames1[i]["function"]!];
            var site1 = frames1[i]["site"]!;
            var site2 = (string)frames2[i]["site"]!;
            if (site1.Type == JTokenType.String)
            {
                Assert.Equal("entry", (string)site1!);
                Assert.Equal("entry", site2);
                continue;
            }
            var byFormat1 = code.ResumeSiteOfFormat1((int)site1);
            Assert.NotNull(byFormat1);
            Assert.Equal(byFormat1!.Name, site2);
            named++;
        }
        Assert.True(named > 0, "the fixture has a frame at a resume site");
        Assert.Equal(Workflow.Pickling.StackReport.Json(v1).ToString(), Workflow.Pickling.StackReport.Json(v2).ToString());
    }

    /// <summary>
    /// A frame's "site" in either format names a site of its function or is refused, with the
    /// path of the "site" value: a format-1 number or a format-2 "kind#n" (or "kind" for "kind#0"),
    /// never one for the other.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_site_that_names_no_resume_site_is_refused_at_its_path(int version)
    {
        var program = Load("approval").ProgramCode;
        var json = JObject.Parse(File.ReadAllText(Path.Combine(Folder, $"approval.v{version}.json")));
        var frame = Frames(json).First(f => f["module"] == null && f["site"]!.ToString() != "entry");
        JToken[] hostile = version == 1
            ? new JToken[] { -1, 100_000, 2_147_483_648L, 1.5, "call#0", "0", true, JValue.CreateNull(), new JArray(), new JObject() }
            : new JToken[] { 0, "call#100000", "call#-1", "call#+1", "call# 1", "call#", "#0", "bogus", "entry#0", "call#0 ", "bogus#0", "Call#0", "call#1#2", "call#99999999999", 1.5, true, JValue.CreateNull(), new JArray() };
        foreach (var value in hostile)
        {
            var original = frame["site"]!;
            frame["site"] = value;
            var bytes = System.Text.Encoding.UTF8.GetBytes(json.ToString(Formatting.None));
            frame["site"] = original;
            var e = Assert.Throws<Workflow.Pickling.PickleException>(() =>
                Workflow.Pickling.Unpickler.Unpickle(bytes, program, new StringWriter(), new Workflow.Runtime.InterpreterOptions()));
            Assert.True(e.Path.EndsWith(".site"), $"{value.ToString(Formatting.None)}: {e.Path}: {e.Message}");
        }
    }

    /// <summary>Every frame object of a pickle, tasklets' and generators' alike, in order.</summary>
    private static IEnumerable<JObject> Frames(JObject pickle) =>
        pickle.Descendants().OfType<JObject>().Where(o => o["function"] != null && o["site"] != null);

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
