using System.Numerics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Boundary;

namespace Workflow.Tests.Boundary;

/// <summary>StrictJson takes RFC 8259 JSON and refuses everything else, naming the line and position.</summary>
public class StrictJsonTests
{
    /// <summary>Text that is not JSON, where it breaks (line, position), and what the refusal says.</summary>
    public static TheoryData<string, int, int, string> NotJson => new()
    {
        { """{"workflow":"probe","input":undefined}""", 1, 29, "undefined is not a JSON value" },
        { "{'a': 1}", 1, 2, "single quotes" },
        { "['a']", 1, 2, "a string in single quotes" },
        { "[1, 2,]", 1, 7, "trailing comma" },
        { """{"a": 1,}""", 1, 9, "trailing comma" },
        { "/* note */ 1", 1, 1, "JSON has no comments" },
        { "1 // note", 1, 3, "JSON has no comments" },
        { "NaN", 1, 1, "NaN is not a JSON number" },
        { "[1, Infinity]", 1, 5, "Infinity is not a JSON number" },
        { "-Infinity", 1, 1, "-Infinity is not a JSON number" },
        { "0x10", 1, 1, "hexadecimal" },
        { "010", 1, 1, "leading zero" },
        { "{a: 1}", 1, 2, "a name without quotes" },
        { "[1,,2]", 1, 4, "a value is missing" },
        { "[,1]", 1, 2, "a value is missing" },
        { """{"a":}""", 1, 6, "a value is missing" },
        { "\"a\nb\"", 1, 3, "control character (U+000A)" },
        { "\"tab\there\"", 1, 5, "control character (U+0009)" },
        { """ "\'" """, 1, 3, "\\' is not a JSON escape" },
        { """ "\x41" """, 1, 3, "\\x is not a JSON escape" },
        { """ "\u12" """, 1, 3, "four hex digits" },
        { ".5", 1, 1, "starts with a digit" },
        { "1.", 1, 3, "must be followed by digits" },
        { "1e", 1, 3, "an exponent must have digits" },
        { "-", 1, 2, "a '-' must be followed by digits" },
        { "+1", 1, 1, "no plus sign" },
        { "new Date(1)", 1, 1, "new is not a JSON value" },
        { "True", 1, 1, "in lowercase" },
        { "None", 1, 1, "in lowercase" },
        { """{"a": 1} x""", 1, 10, "after the JSON value" },
        { "1 2", 1, 3, "after the JSON value" },
        { """{"a": 1, "a": 2}""", 1, 10, "the name \"a\" appears twice" },
        { "[1 2]", 1, 4, "where ',' or ']' should be" },
        { """{"a" 1}""", 1, 6, "where ':' should be" },
        { """ "\ud800" """, 1, 3, "first half of a surrogate pair" },
        { """ "\udc00" """, 1, 3, "second half of a surrogate pair" },
        { """ "\ud800\u0041" """, 1, 3, "is not its second half" },
        { "1e400", 1, 1, "beyond the range of a double" },
        { "\"open", 1, 6, "ends inside a string" },
        { "[1, 2", 1, 6, "ends inside an array" },
        { "", 1, 1, "the text is empty" },
        { "  \n ", 2, 2, "only whitespace" },
        { "\uFEFF{}", 1, 1, "byte order mark" },
        { "{\n  \"a\": 1,\r\n  \"b\": undefined\n}", 3, 8, "undefined is not a JSON value" },
    };

    [Theory]
    [MemberData(nameof(NotJson))]
    public void Text_that_is_not_JSON_is_refused_with_its_line_and_position(string text, int line, int position, string says)
    {
        var e = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse(text));
        Assert.Equal((line, position), (e.Line, e.Position));
        Assert.StartsWith($"line {line}, position {position}: ", e.Message);
        Assert.Contains(says, e.Message);
    }

    /// <summary>Why the engine has its own reader: Json.NET, with every setting that could make it strict, reads each of these.</summary>
    [Theory]
    [InlineData("""{"input":undefined}""")]
    [InlineData("{'a': 1}")]
    [InlineData("[1, 2,]")]
    [InlineData("""{"a": 1,}""")]
    [InlineData("/* note */ 1")]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    [InlineData("0x10")]
    [InlineData("010")]
    [InlineData("{a: 1}")]
    [InlineData("[1,,2]")]
    [InlineData("\"a\nb\"")]
    [InlineData(""" "\'" """)]
    [InlineData(".5")]
    [InlineData("1.")]
    [InlineData("new Date(1)")]
    [InlineData(""" "\ud800" """)]
    [InlineData("1e400")]
    public void Json_net_alone_reads_what_is_not_JSON(string text)
    {
        using var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
        JToken.ReadFrom(reader, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error, CommentHandling = CommentHandling.Load });
        Assert.Throws<InvalidJsonException>(() => StrictJson.Parse(text));
    }

    [Fact]
    public void Values_are_read_exactly_big_integers_whole_and_dates_as_strings()
    {
        var value = (JObject)StrictJson.Parse("""
             { "big": 123456789012345678901234567890, "small": -9223372036854775808, "half": 1.5, "e": 1E2,
               "negative zero": -0.0, "zero": -0, "date": "2024-01-01T00:00:00Z",
               "escapes": "\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t", "raw": "é😀", "nested": [[], {}, [null, true, false]] }
            """);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"), ((JValue)value["big"]!).Value);
        Assert.Equal(long.MinValue, ((JValue)value["small"]!).Value);
        Assert.Equal((JTokenType.Float, 1.5), (value["half"]!.Type, (double)value["half"]!));
        Assert.Equal(100.0, ((JValue)value["e"]!).Value);
        Assert.True(double.IsNegative((double)value["negative zero"]!));
        Assert.Equal(0L, ((JValue)value["zero"]!).Value);
        Assert.Equal((JTokenType.String, "2024-01-01T00:00:00Z"), (value["date"]!.Type, (string)value["date"]!));
        Assert.Equal("é😀\n\"\\/\b\f\r\t", (string)value["escapes"]!);
        Assert.Equal("é😀", (string)value["raw"]!);
        Assert.Equal("""[[],{},[null,true,false]]""", value["nested"]!.ToString(Formatting.None));
        Assert.Equal(JTokenType.Null, StrictJson.Parse(" \t\r\n null \r\n").Type);
    }

    [Fact]
    public void Nesting_is_read_to_MaxDepth_and_refused_beyond_it_however_deep_without_overflowing_the_stack()
    {
        var deepest = new string('[', StrictJson.MaxDepth) + new string(']', StrictJson.MaxDepth);
        Assert.Equal(JTokenType.Array, StrictJson.Parse(deepest).Type);

        var tooDeep = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse("[" + deepest + "]"));
        Assert.Equal(StrictJson.MaxDepth + 1, tooDeep.Position);
        Assert.Contains("nests more than 1,000", tooDeep.Message);

        var e = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse(new string('{', 100_000)));
        Assert.Contains("a name in double quotes", e.Message);
        e = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse(string.Concat(Enumerable.Repeat("{\"a\":[", 100_000))));
        Assert.Contains("nests more than", e.Message);
    }

    [Fact]
    public void Integers_of_more_than_4300_digits_are_refused_as_Python_refuses_to_read_them()
    {
        var longest = "-" + new string('9', 4300);
        Assert.Equal(BigInteger.Parse(longest), ((JValue)StrictJson.Parse(longest)).Value);
        var e = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse("[" + new string('9', 4301) + "]"));
        Assert.Equal(2, e.Position);
        Assert.Contains("4,301 digits", e.Message);
    }

    [Fact]
    public void Raw_lone_surrogates_in_a_string_are_refused_and_pairs_are_kept()
    {
        Assert.Equal("a😀", (string)StrictJson.Parse("\"a\ud83d\ude00\"")!);
        var e = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse("\"ab\ud800\""));
        Assert.Equal(4, e.Position);
        Assert.Contains("lone surrogate (U+D800)", e.Message);
        Assert.Throws<InvalidJsonException>(() => StrictJson.Parse("\"\udc00a\""));
    }

    [Fact]
    public void Naming_says_which_text_was_refused()
    {
        var e = Assert.Throws<InvalidJsonException>(() => StrictJson.Parse("[1,]"));
        Assert.Equal("the input is not JSON: line 1, position 4: a comma before ']' (a trailing comma) is not JSON", e.Naming("input").Message);
    }
}
