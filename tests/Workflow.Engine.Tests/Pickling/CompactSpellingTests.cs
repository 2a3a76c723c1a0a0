using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Pickling;
using Workflow.Runtime;

namespace Workflow.Tests.Pickling;

/// <summary>
/// Two values of the pickle are left out at their default like its keys: a resume site that is the
/// first of its kind is written by its kind alone ("call" is "call#0", SiteNames), and a module
/// whose globals hold every top-level def of its code, in order, writes "defs": "all" (ModuleDefs).
/// The reader keeps taking the long spellings, which earlier pickles of format 2 hold.
/// </summary>
public class CompactSpellingTests
{
    private const string Chain = """
        def inner(n):
            got = await signal("go")
            return n + got

        def middle(n):
            a = inner(n)
            b = inner(n + 1)
            return a + b

        def main(input):
            total = middle(10)
            print("total", total)
        """;

    /// <summary>Runs [source] until it first waits; the program and its pickle.</summary>
    private static (WorkflowProgram Program, byte[] Pickle) FirstPickle(string source)
    {
        var program = WorkflowProgram.Compile(source, "compact.wf");
        Assert.Empty(program.Diagnostics);
        var first = program.Run(null, new StringWriter());
        Assert.True(first.Status == ProgramStatus.Waiting, first.ErrorText);
        return (program, first.Pickle!);
    }

    private static JObject Json(byte[] pickle) => JObject.Parse(System.Text.Encoding.UTF8.GetString(pickle));
    private static byte[] Bytes(JObject pickle) => System.Text.Encoding.UTF8.GetBytes(pickle.ToString(Formatting.None));

    private static JObject MainModule(JObject pickle) =>
        ((JArray)pickle["modules"]!).OfType<JObject>().Single(m => (string?)m["name"] == "__main__");

    private static List<JObject> Frames(JObject pickle) =>
        pickle.Descendants().OfType<JObject>().Where(o => o["function"] != null && o["site"] != null).ToList();

    /// <summary>The pickle spelt as before the compaction: every site "kind#n", every def listed.</summary>
    private static JObject LongSpelling(JObject pickle, params string[] defs)
    {
        var copy = (JObject)pickle.DeepClone();
        foreach (var frame in Frames(copy))
            if ((string)frame["site"]! is var site && site != "entry" && !site.Contains('#')) frame["site"] = site + "#0";
        MainModule(copy)["defs"] = new JArray(defs);
        return copy;
    }

    private static string Resume(WorkflowProgram program, byte[] pickle)
    {
        var output = new StringWriter();
        var result = program.Resume(pickle, [("go", "1"), ("go", "2")], output);
        Assert.True(result.Status == ProgramStatus.Completed, result.ErrorText);
        return output.ToString();
    }

    [Fact]
    public void The_first_site_of_a_kind_is_its_kind_alone_and_every_def_in_order_is_all()
    {
        var (_, bytes) = FirstPickle(Chain);
        var pickle = Json(bytes);
        Assert.Equal(["call", "call", "await"], Frames(pickle).Select(f => (string)f["site"]!));
        Assert.Equal("all", (string?)MainModule(pickle)["defs"]);
        Assert.DoesNotContain("#0", System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void A_later_site_of_a_kind_keeps_its_ordinal()
    {
        // middle's second call: the second go resumes it at call#1.
        var program = WorkflowProgram.Compile(Chain, "compact.wf");
        var first = program.Run(null, new StringWriter());
        var second = program.Resume(first.Pickle!, [("go", "1")], new StringWriter());
        Assert.True(second.Status == ProgramStatus.Waiting, second.ErrorText);
        Assert.Equal(["call", "call#1", "await"], Frames(Json(second.Pickle!)).Select(f => (string)f["site"]!));
    }

    /// <summary>
    /// The long spellings and the short ones read alike: each resumes to the same output, and
    /// pickling what was read gives the short spelling's bytes back (nothing lost, nothing invented).
    /// </summary>
    [Fact]
    public void Both_spellings_read_to_the_same_instance()
    {
        var (program, bytes) = FirstPickle(Chain);
        var longForm = Bytes(LongSpelling(Json(bytes), "inner", "middle", "main"));
        Assert.Contains("\"call#0\"", System.Text.Encoding.UTF8.GetString(longForm));
        Assert.Equal("total 24\n", Resume(program, bytes));
        Assert.Equal("total 24\n", Resume(program, longForm));
        foreach (var pickle in new[] { bytes, longForm })
        {
            var vm = Unpickler.Unpickle(pickle, program.ProgramCode, new StringWriter(), new InterpreterOptions());
            Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes), System.Text.Encoding.UTF8.GetString(Pickler.Pickle(vm, program.ProgramCode.Hash)));
        }
    }

    private const string Waits = "def main(input):\n    got = await signal(\"go\")\n    print(\"got\", got)\n";

    public static TheoryData<string, string[]> NotEveryDefInOrder => new()
    {
        // A def its code did not run: the module's code has one more def than its globals hold.
        { "flag = 0\nif flag:\n    def spare():\n        return 0\n" + Waits, ["main"] },
        // A def rebound to another value.
        { "def helper():\n    return 1\n" + Waits + "helper = 5\n", ["main"] },
        // A def rebound to another def: an ordinary global holding that def.
        { "def a():\n    return 1\ndef b():\n    return 2\na = b\n" + Waits, ["b", "main"] },
        // A name bound before its def: the globals keep its first place, out of the code's order.
        { "main = 0\ndef helper():\n    return 1\n" + Waits, ["main", "helper"] },
    };

    [Theory]
    [MemberData(nameof(NotEveryDefInOrder))]
    public void Defs_are_listed_when_not_every_def_is_bound_under_its_name_in_order(string source, string[] listed)
    {
        var (program, bytes) = FirstPickle(source);
        var module = MainModule(Json(bytes));
        Assert.Equal(JTokenType.Array, module["defs"]!.Type);
        Assert.Equal(listed, module["defs"]!.Select(d => (string)d!));
        var output = new StringWriter();
        var result = program.Resume(bytes, [("go", "7")], output);
        Assert.True(result.Status == ProgramStatus.Completed, result.ErrorText);
        Assert.Equal("got 7\n", output.ToString());
    }

    [Theory]
    [InlineData("\"some\"")]
    [InlineData("\"ALL\"")]
    [InlineData("\"\"")]
    [InlineData("true")]
    [InlineData("5")]
    public void Defs_that_are_neither_a_list_nor_all_are_refused_at_their_path(string defs)
    {
        var (program, bytes) = FirstPickle(Chain);
        var pickle = Json(bytes);
        MainModule(pickle)["defs"] = JToken.Parse(defs);
        var e = Assert.Throws<PickleException>(() => Unpickler.Unpickle(Bytes(pickle), program.ProgramCode, new StringWriter(), new InterpreterOptions()));
        Assert.EndsWith(".defs", e.Path);
    }
}
