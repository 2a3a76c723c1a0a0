using Newtonsoft.Json.Linq;
using Workflow.Pickling;
using Workflow.Runtime;

namespace Workflow.Tests.Pickling;

/// <summary>
/// A string, float or big int held by two places is one object again after a resume (`x is y`,
/// `[nan] == [nan]`), and equal ones made separately stay separate: inline strings of equal value
/// are one object, and the exceptions are `{"shared": v}` heap entries (Pickler.SharedValues). Functions are named by their identity, never by the variable that
/// holds them. The conformance programs `stackless/shared_values_identity.wf` and
/// `stackless/functions_held_by_other_names.wf` check the same through every safe point.
/// </summary>
public class SharedValuesPickleTests
{
    /// <summary>Runs [source] until it waits for signal `go`; its pickle, and what it prints once resumed from it.</summary>
    private static (JObject Pickle, string Output) RunThroughAPickle(string source)
    {
        var program = WorkflowProgram.Compile(source, "shared.wf");
        Assert.Empty(program.Diagnostics);
        var first = program.Run(null, new StringWriter());
        Assert.True(first.Status == ProgramStatus.Waiting, first.ErrorText);
        var output = new StringWriter();
        var resumed = program.Resume(first.Pickle!, [("go", "null")], output);
        Assert.True(resumed.Status == ProgramStatus.Completed, resumed.ErrorText);
        return (JObject.Parse(System.Text.Encoding.UTF8.GetString(first.Pickle!)), output.ToString());
    }

    private static List<JObject> SharedEntries(JObject pickle) =>
        ((JArray)pickle["heap"]!).OfType<JObject>().Where(e => e["shared"] != null).ToList();

    [Fact]
    public void Values_held_by_two_places_come_back_as_one_object()
    {
        var (pickle, output) = RunThroughAPickle("""
            def main(input):
                s = "ab" * input_len()
                t = s
                f = float("nan")
                box = [f]
                big = 7 ** 40
                bigs = {"a": big, "b": big}
                await signal("go")
                print(s is t, box == [f], f in box, bigs["a"] is bigs["b"], bigs["a"] is big)

            def input_len():
                return 20
            """);
        Assert.Equal("True True True True True\n", output);
        // The float and the big int are heap entries both places refer to; the string is inline in both
        // places (inline strings of equal value are one object).
        var shared = SharedEntries(pickle);
        Assert.Equal(2, shared.Count);
        Assert.Contains(shared, e => e["shared"] is JObject { } o && (string?)o["float"] == "nan");
        Assert.Contains(shared, e => e["shared"] is JObject { } o && o["int"] != null);
        var text = pickle.ToString(Newtonsoft.Json.Formatting.None);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "\"nan\""));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(text, "\"" + string.Concat(Enumerable.Repeat("ab", 20)) + "\"").Count);
    }

    [Fact]
    public void Equal_values_made_separately_stay_separate()
    {
        var (pickle, output) = RunThroughAPickle("""
            def main(input):
                a = float("nan")
                b = float("nan")
                s = "x" * input_len()
                u = "".join(["x"] * input_len())
                v = u
                await signal("go")
                print([a] == [b], s is u, s == u, u is v)

            def input_len():
                return 30
            """);
        Assert.Equal("False False True True\n", output);
        // The floats are inline, each once; the second string object is an entry of its own.
        var shared = Assert.Single(SharedEntries(pickle));
        Assert.Equal(new string('x', 30), (string?)shared["shared"]);
    }

    [Fact]
    public void A_function_held_by_another_name_is_written_by_its_own_name()
    {
        var (pickle, output) = RunThroughAPickle("""
            def check_a(x):
                return x > 1

            handler = check_a
            checks = [("a", check_a)]

            def main(input):
                for field, fn in checks:
                    await signal("go")
                    print(field, fn(5), fn is handler, handler is check_a)
            """);
        Assert.Equal("a True True True\n", output);
        var main = ((JArray)pickle["modules"]!).OfType<JObject>().Single(m => (string?)m["name"] == "__main__");
        // Both defs bound under their own names, in order: "all" of the module's code's defs.
        Assert.Equal("all", (string?)main["defs"]);
        Assert.Equal("check_a", (string?)main["globals"]!["handler"]!["def"]);
    }

    [Fact]
    public void Equal_strings_each_held_once_are_listed_as_separate_rather_than_given_entries()
    {
        var (pickle, output) = RunThroughAPickle("""
            def main(input):
                xs = [f"AC-{n % 3}" for n in range(9)]
                k = xs[0]
                await signal("go")
                print(k is xs[0], xs[0] is xs[3], xs[3] is xs[6], xs[1] is xs[4], xs[0] == xs[3])
            """);
        Assert.Equal("True False False False True\n", output);
        Assert.Equal(["AC-0", "AC-1", "AC-2"], pickle["separateStrings"]!.Select(t => (string)t!).Order());
        // Only the object two places hold gets an entry; the rest stay inline.
        Assert.Equal("AC-0", (string?)Assert.Single(SharedEntries(pickle))["shared"]);
    }

    [Fact]
    public void A_shared_entry_holding_anything_but_a_string_float_or_big_int_is_refused_with_its_place()
    {
        var program = WorkflowProgram.Compile("def main(input):\n    f = float('nan')\n    g = f\n    await signal('go')\n    print(f, g)\n", "shared.wf");
        var first = program.Run(null, new StringWriter());
        var pickle = JObject.Parse(System.Text.Encoding.UTF8.GetString(first.Pickle!));
        var entry = SharedEntries(pickle).Single();
        entry["shared"] = new JObject { ["builtin"] = "len" };
        var bytes = System.Text.Encoding.UTF8.GetBytes(pickle.ToString());
        var e = Assert.Throws<PickleException>(() => program.Resume(bytes, [("go", "null")], new StringWriter()).Status);
        Assert.Contains("only a string, a float or a big int is a shared heap entry", e.Message);
        Assert.Contains("heap[", e.Message);
    }

    [Fact]
    public void The_stack_report_shows_a_dict_keyed_by_shared_strings_as_an_object()
    {
        var program = WorkflowProgram.Compile("def main(input):\n    k = 'key' * 3\n    d = {k: 1}\n    e = {k: 2}\n    f = {''.join(['key'] * 3): 3}\n    await signal('go')\n    print(d, e, f)\n", "shared.wf");
        var first = program.Run(null, new StringWriter());
        var pickle = JObject.Parse(System.Text.Encoding.UTF8.GetString(first.Pickle!));
        Assert.Equal("keykeykey", (string?)Assert.Single(SharedEntries(pickle))["shared"]);
        var locals = StackReport.Json(first.Pickle!).SelectTokens("$..locals").OfType<JObject>().Single();
        Assert.Equal(new JObject { ["keykeykey"] = 1 }, locals["d"]);
        Assert.Equal(new JObject { ["keykeykey"] = 2 }, locals["e"]);
        Assert.Equal(new JObject { ["keykeykey"] = 3 }, locals["f"]);
    }
}
