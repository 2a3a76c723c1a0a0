using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Pickling;
using Workflow.Pickling.Kinds;
using Workflow.Runtime;

namespace Workflow.Tests.Pickling;

/// <summary>
/// The closed table of heap kinds (PickledKinds): one kind per key and per type, the writer's and
/// the readers' (the unpickler's, `wf stack`'s) view of an entry the same, anything else refused.
/// </summary>
public class PickledKindsTests
{
    [Fact]
    public void Each_kind_has_its_own_key_and_its_own_type()
    {
        var kinds = PickledKinds.All;
        Assert.True(kinds.Count >= 30);
        Assert.Equal(kinds.Count, kinds.Select(k => k.Key).Distinct().Count());
        var typed = kinds.Where(k => k.WrittenType != null).ToList();
        Assert.Equal(typed.Count, typed.Select(k => k.WrittenType).Distinct().Count());
        Assert.All(kinds, k => Assert.Same(k, PickledKinds.Named(k.Key)));
        // Only a shared value has no type of its own: Pickler.SharedValues writes it.
        Assert.Equal(["shared"], kinds.Where(k => k.WrittenType == null).Select(k => k.Key));
        Assert.Equal(["dict", "list", "shared", "tuple"], kinds.Where(k => k.IsCompact).Select(k => k.Key).Order());
    }

    [Fact]
    public void An_object_of_no_kind_is_not_written()
    {
        var e = Assert.Throws<PickleException>(() => PickledKinds.ToWrite(new object()));
        Assert.Contains("no pickle kind", e.Message);
    }

    [Fact]
    public void Entries_are_told_apart_alike_by_the_unpickler_and_wf_stack()
    {
        var entries = new (string Json, string? Kind)[]
        {
            ("""{"list": [1]}""", "list"),
            ("""{"tuple": []}""", "tuple"),
            ("""{"dict": []}""", "dict"),
            ("""{"shared": "x"}""", "shared"),
            ("""{"kind": "range", "start": 0, "stop": 1, "step": 1}""", "range"),
            ("""{"activity": "charge", "sequence": 1}""", "future"),
            ("""{"timer": 5, "sequence": 2, "state": "resolved", "value": null}""", "future"),
            ("""{"list": [1], "extra": 2}""", null),
            ("""{"items": [1]}""", null),
            ("""{}""", null),
        };
        foreach (var (json, kind) in entries)
        {
            var jobject = JObject.Parse(json);
            Assert.Equal(kind, PickledKinds.Of(jobject)?.Key);
            var pobject = (PObject)PNode.Parse(new StringReader(json), maxDepth: 8)!;
            if (kind != null) Assert.Equal(kind, PickledKinds.Of(pobject).Key);
            else Assert.Throws<PickleException>(() => PickledKinds.Of(pobject));
        }
    }

    /// <summary>An entry of no kind, or of a kind not in the table, is refused with its path.</summary>
    [Theory]
    [InlineData("""{"kind": "socket", "fd": 3}""", "unknown kind 'socket'", ".kind")]
    [InlineData("""{"list": [], "extra": 1}""", "missing \"kind\"", "heap[0]")]
    [InlineData("""{"kind": 7}""", "expected a string", ".kind")]
    public void An_entry_of_no_known_kind_is_refused(string entry, string message, string pathEnd)
    {
        var program = WorkflowProgram.Compile("def main(input):\n    xs = [1, 2]\n    await signal('go')\n    print(xs)\n", "kinds.wf");
        var first = program.Run(null, new StringWriter());
        var pickle = JObject.Parse(System.Text.Encoding.UTF8.GetString(first.Pickle!));
        ((JArray)pickle["heap"]!)[0] = JObject.Parse(entry);
        var bytes = System.Text.Encoding.UTF8.GetBytes(pickle.ToString(Formatting.None));
        var e = Assert.Throws<PickleException>(() => Unpickler.Unpickle(bytes, program.ProgramCode, new StringWriter(), new InterpreterOptions()));
        Assert.Contains(message, e.Message);
        Assert.EndsWith(pathEnd, e.Path);
    }
}
