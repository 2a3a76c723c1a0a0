using Workflow.Boundary;
using Workflow.Durable;
using Workflow.Tests.Durable;
using Workflow.Values;

namespace Workflow.Tests;

/// <summary>JSON data crossing into and out of an instance: strict JSON in, data every reader can read back out.</summary>
public class JsonValuesTests
{
    [Fact]
    public void Parse_refuses_what_is_not_strict_JSON_with_line_and_position()
    {
        var e = Assert.Throws<InvalidJsonException>(() => JsonValues.Parse("{\"a\": [1, 2,]}"));
        Assert.Equal((1, 13), (e.Line, e.Position));
        Assert.Throws<InvalidJsonException>(() => JsonValues.Parse("{\"a\": undefined}"));
        Assert.Throws<InvalidJsonException>(() => JsonValues.Parse("{\"a\": 1, \"a\": 2}"));
    }

    [Fact]
    public void Parse_keeps_big_integers_whole_and_date_like_strings_as_strings()
    {
        var dict = (PyDict)JsonValues.Parse("{\"n\": 123456789012345678901234567890, \"when\": \"2024-01-01T00:00:00Z\", \"f\": 0.1}");
        Assert.Equal(System.Numerics.BigInteger.Parse("123456789012345678901234567890"), Get(dict, "n"));
        Assert.Equal("2024-01-01T00:00:00Z", Get(dict, "when"));
        Assert.Equal(0.1, Get(dict, "f"));
    }

    [Fact]
    public void Equal_keys_of_one_document_are_one_string_object_as_in_CPython_json_loads()
    {
        var records = (PyList)JsonValues.Parse("[{\"id\": \"a\", \"n\": 1}, {\"id\": \"b\", \"n\": 2}, {\"nested\": {\"id\": \"id\"}}]");
        var keys = records.Items.Select(r => ((PyDict)r).Items.First().Key).ToList();
        Assert.Same(keys[0], keys[1]);
        var nested = (PyDict)Get((PyDict)records.Items[2], "nested");
        var (innerKey, innerValue) = nested.Items.Single();
        Assert.Same(keys[0], innerKey);
        Assert.NotSame(innerKey, innerValue); // values are not memoised, as in CPython
        var other = (PyDict)JsonValues.Parse("{\"id\": 1}");
        Assert.NotSame(keys[0], other.Items.Single().Key); // one memo per document
    }

    [Fact]
    public void An_input_read_back_from_the_store_that_is_not_JSON_fails_the_instance_naming_where()
    {
        // What an older, lenient version of the API stored: the instance fails at its first turn, and the worker goes on.
        var d = new TurnDriver("def main(input):\n    return input\n", "{\"input\": undefined}");
        var commit = d.Turn();
        Assert.Equal(InstanceStatus.Failed, commit.Status);
        Assert.Contains("line 1, position 11: undefined is not a JSON value", commit.Error);
    }

    [Fact]
    public void DumpsData_refuses_a_str_with_a_lone_surrogate_which_no_reader_would_take_back()
    {
        var value = List(new PyDict(), "ok \uD83D\uDE00");
        ((PyDict)value.Items[0]).Set("name", "half \uD800");
        var e = Assert.Throws<ScriptError>(() => JsonValues.DumpsData(value, "main's result"));
        Assert.Contains("main's result is not JSON data: a str with a lone surrogate (U+D800, half of a UTF-16 pair) at [0]['name']", e.Message);

        var key = new PyDict();
        key.Set("\uDC00", 1);
        Assert.Contains("lone surrogate (U+DC00", Assert.Throws<ScriptError>(() => JsonValues.DumpsData(key, "input")).Message);
        Assert.Equal("[{}, \"ok \\ud83d\\ude00\"]", JsonValues.DumpsData(List(new PyDict(), "ok \uD83D\uDE00"), "input"));
    }

    [Fact]
    public void DumpsData_refuses_values_deeper_than_StrictJson_reads_and_what_it_writes_reads_back()
    {
        object deep = 1L;
        for (int i = 0; i < 900; i++) deep = List(deep);
        var written = JsonValues.DumpsData(deep, "result");
        Assert.Equal(written, JsonValues.Dumps(JsonValues.Parse(written)));

        object tooDeep = 1L;
        for (int i = 0; i <= StrictJson.MaxDepth; i++) tooDeep = List(tooDeep);
        var e = Assert.Throws<ScriptError>(() => JsonValues.DumpsData(tooDeep, "main's result"));
        Assert.Contains("nested more than 1,000 deep", e.Message);
    }

    private static PyList List(params object[] items) => new(items.ToList());

    private static object Get(PyDict dict, string key) => dict.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
}
