using Workflow.Runtime;
using Workflow.Values;
using Workflow.Values.Numbers;

namespace Workflow.Tests.Values;

/// <summary>
/// One value may not pass InterpreterOptions.MaxValueBytes: each operation that can make a big
/// value from small operands raises a catchable MemoryError before doing the work, and the same
/// operation just under the limit succeeds. The limit here is 64 KB, the smallest that is held
/// exactly (ValueSize never looks at smaller values): 32,768 characters, 8,192 list items,
/// 524,288 bits of int, 2,730 dict entries.
/// </summary>
public class ValueSizeTests
{
    private static readonly InterpreterOptions SixtyFourKilobytes = new() { MaxValueBytes = 64 * 1024 };

    /// <summary>Runs [body], the statements of a function, under the 64 KB limit: the MemoryError's message, or "made".</summary>
    private static string Refusal(string body)
    {
        var program = $"import json\ndef make():\n    {body.Replace("\n", "\n    ")}\ntry:\n    make()\n    print('made')\nexcept MemoryError as e:\n    print(e)\n";
        return Run.Output(program, options: SixtyFourKilobytes).TrimEnd('\n');
    }

    private static string Printed(string expression) => Run.Output($"import json\nprint({expression})\n", options: SixtyFourKilobytes).TrimEnd('\n');

    /// <summary>The message for a value of [size]; sizes that round like the limit are shown exactly, and the limit with them.</summary>
    private static string Message(string size) =>
        $"the result would take {size}, over the limit of {(size.EndsWith(" bytes") ? "65,536 bytes" : "64 KB")} for one value (InterpreterOptions.MaxValueBytes)";

    [Theory]
    // Repetition.
    [InlineData("return 'ab' * 16385", "65,540 bytes", "len('ab' * 16384)", "32768")]
    [InlineData("return 16385 * 'ab'", "65,540 bytes", "len(16384 * 'ab')", "32768")]
    [InlineData("return [0, 1] * 4097", "65,552 bytes", "len([0, 1] * 4096)", "8192")]
    [InlineData("return (0,) * 8193", "65,544 bytes", "len((0,) * 8192)", "8192")]
    [InlineData("xs = [0]\nxs *= 8193", "65,544 bytes", "len([0] * 8192)", "8192")]
    [InlineData("s = 'a'\ns *= 32769", "65,538 bytes", "len('a' * 32768)", "32768")]
    // Concatenation, and f-strings joining their parts.
    [InlineData("return 'a' * 32768 + 'b'", "65,538 bytes", "len('a' * 32767 + 'b')", "32768")]
    [InlineData("s = 'a' * 20000\nreturn f'{s}{s}'", "78.1 KB", "len(f\"{'a' * 20000}{'b' * 12768}\")", "32768")]
    [InlineData("return [0] * 8192 + [1]", "65,544 bytes", "len([0] * 8191 + [1])", "8192")]
    [InlineData("return (0,) * 8192 + (1,)", "65,544 bytes", "len((0,) * 8191 + (1,))", "8192")]
    [InlineData("xs = [0] * 8192\nxs += [1]", "65,544 bytes", "len([0] * 8191 + [1])", "8192")]
    [InlineData("xs = [0] * 8192\nxs.extend(range(1))", "65,544 bytes", "len([*([0] * 8191), *range(1)])", "8192")]
    [InlineData("return [*range(8193)]", "65,544 bytes", "len([*range(8192)])", "8192")]
    // Int arithmetic, and an int written out in hex.
    [InlineData("return 2 ** 524296", "65,537 bytes", "2 ** 524288 > 2 ** 524287", "True")]
    [InlineData("return 10 ** 157827", "65,537 bytes", "10 ** 157820 > 10 ** 157819", "True")] // 157,827 × log2(10) = 524,289.9 bits
    [InlineData("return pow(-3, 400000)", "77.4 KB", "pow(-3, 330000) > 0", "True")]
    [InlineData("return 1 << 524288", "65,537 bytes", "(1 << 524280) > 1", "True")]
    [InlineData("return (1 << 300000) * (1 << 300000)", "73.2 KB", "(1 << 262000) * (1 << 262000) == 1 << 524000", "True")]
    [InlineData("return hex(1 << 131076)", "65,540 bytes", "len(hex(1 << 131063))", "32768")]
    // Materialising an iterable, and growing item by item.
    [InlineData("return list(range(8193))", "65,544 bytes", "len(list(range(8192)))", "8192")]
    [InlineData("return tuple(range(8193))", "65,544 bytes", "len(tuple(range(8192)))", "8192")]
    [InlineData("return sorted(range(8193, 0, -1))", "65,544 bytes", "sorted(range(8192, 0, -1))[:3]", "[1, 2, 3]")]
    [InlineData("a, *b = range(8193)", "65,544 bytes", "[len(b) for a, *b in [range(8192)]][0]", "8191")]
    [InlineData("xs = []\nxs[0:0] = range(8193)", "65,544 bytes", "len(list(range(8192)))", "8192")]
    // A list or dict growing item by item is looked at every 1,024 items: 9,216 × 8 bytes, 3,072 × 24.
    [InlineData("return [i for i in range(10000)]", "72 KB", "len([i for i in range(8192)])", "8192")]
    [InlineData("xs = []\nwhile True:\n    xs.append(0)", "72 KB", "len(list(x for x in range(8192)))", "8192")]
    [InlineData("return list(x for x in range(10000))", "72 KB", "len(list(x for x in range(8192)))", "8192")]
    [InlineData("return {i: i for i in range(4000)}", "72 KB", "len({i: i for i in range(2730)})", "2730")]
    [InlineData("return ('a ' * 16000).split()", "125 KB", "len(('a ' * 8192).split())", "8192")]
    // str methods, and the repr of containers.
    [InlineData("return '-'.join(['abcd'] * 6554)", "65,538 bytes", "len('-'.join(['abcd'] * 6553))", "32764")]
    [InlineData("return ('a' * 16385).replace('a', 'bb')", "65,540 bytes", "len(('a' * 16384).replace('a', 'bb'))", "32768")]
    [InlineData("return ('a' * 20000).replace('a', 'bb', 12769)", "65,538 bytes", "len(('a' * 20000).replace('a', 'bb', 12768))", "32768")]
    [InlineData("return ('a' * 16384).replace('', 'b')", "65,538 bytes", "len(('a' * 16384).replace('', '-', 16384))", "32768")]
    [InlineData("return 'x'.center(32769)", "65,538 bytes", "len('x'.center(32768))", "32768")]
    [InlineData("return 'x'.ljust(32769, '-')", "65,538 bytes", "len('x'.ljust(32768, '-'))", "32768")]
    [InlineData("return 'x'.rjust(32769)", "65,538 bytes", "len('x'.rjust(32768))", "32768")]
    [InlineData("return '-1'.zfill(32769)", "65,538 bytes", "'-1'.zfill(32768)[:3]", "-00")]
    [InlineData("return 'a\\tb'.expandtabs(40000)", "78.1 KB", "len('\\t'.expandtabs(32768))", "32768")]
    [InlineData("return repr(['a' * 10000] * 4)", "78.2 KB", "len(repr(['a' * 10000] * 3))", "30012")]
    [InlineData("return str(('a' * 10000, 'b' * 10000, 'c' * 20000))", "78.1 KB", "len(str(('a' * 10000, 'b' * 10000)))", "20008")]
    // Format widths and precisions.
    [InlineData("return f'{1:>32769}'", "65,538 bytes", "len(f'{1:>32768}')", "32768")]
    [InlineData("return format('x', '^32769')", "65,538 bytes", "len(format('x', '^32768'))", "32768")]
    [InlineData("return '{:032769,}'.format(5)", "65,538 bytes", "len('{:032767,}'.format(5))", "32767")]
    [InlineData("return f'{1.5:.32769f}'", "65,538 bytes", "len(f'{1.5:.32760f}')", "32762")]
    [InlineData("return f'{1.5:#.40000g}'", "78.1 KB", "f'{1.5:.40000g}'", "1.5")]
    [InlineData("return '{0}{0}'.format('a' * 20000)", "78.1 KB", "len('{0}{1}'.format('a' * 20000, 'b' * 12768))", "32768")]
    // json.
    [InlineData("return json.dumps([1], indent=32769)", "65,538 bytes", "len(json.dumps([1], indent=32760))", "32765")]
    // The text is looked at as it grows: here 16,384 characters into the second string.
    [InlineData("return json.dumps(['a' * 30000] * 3)", "90.6 KB", "len(json.dumps(['a' * 30000, 'b' * 2000]))", "32008")]
    public void Over_the_limit_is_a_MemoryError_and_just_under_is_made(string over, string size, string under, string result)
    {
        Assert.Equal(Message(size), Refusal(over));
        Assert.Equal(result, Printed(under));
    }

    /// <summary>A text made in the program is under the limit already; one from outside (here the start input) is refused before it is parsed.</summary>
    [Fact]
    public void Json_loads_refuses_a_document_over_the_limit_before_parsing_it()
    {
        const string program = "import json\ndef main(text):\n    try:\n        return len(json.loads(text))\n    except MemoryError as e:\n        return str(e)\n";
        // The input is a JSON string holding a JSON document: a string of 39,998 letters, then of 32,766.
        var (over, _) = Run.Program(program, input: "\"\\\"" + new string('a', 39_998) + "\\\"\"", options: SixtyFourKilobytes);
        Assert.Equal("\"" + Message("78.1 KB") + "\"", over.ResultJson);
        var (under, _) = Run.Program(program, input: "\"\\\"" + new string('a', 32_766) + "\\\"\"", options: SixtyFourKilobytes);
        Assert.Equal("32766", under.ResultJson);
    }

    /// <summary>The result is sized by the matches the count allows, not by every position: this one once overflowed the capacity.</summary>
    [Fact]
    public void Replacing_the_empty_string_sizes_the_result_by_the_count()
    {
        Assert.Equal("100000 -a-bcd\n", Run.Output("print(len(('a' * 50000).replace('', 'b' * 50000, 1)), 'abcd'.replace('', '-', 2))\n"));
    }

    [Fact]
    public void Int_and_str_conversions_keep_CPython_s_4300_digit_limit()
    {
        var output = Run.Output("""
            for make in [lambda: str(10 ** 4300), lambda: int('1' * 4301), lambda: f'{10 ** 4300:,}', lambda: repr(-10 ** 4300)]:
                try:
                    make()
                except ValueError as e:
                    print(e)
            print(len(str(10 ** 4299)), int('9' * 4300) == 10 ** 4300 - 1, len(f'{2 ** 20000:x}'))
            """);
        Assert.Equal("""
            Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit
            Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit
            Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit
            Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit
            4300 True 5001

            """.Replace("\r", ""), output);
    }

    /// <summary>
    /// Under the default limit (64 MB), values of gigabytes are refused at once: were the work
    /// done first, these would take minutes and gigabytes of memory, and the test would not end.
    /// </summary>
    [Theory]
    [InlineData("[0] * 10**9", "7.5 GB")]
    [InlineData("'x' * 10**9", "1.9 GB")]
    [InlineData("10 ** (10 ** 9)", "396 MB")]
    [InlineData("2 ** (2 ** 100)", "more than 8 EB")]
    [InlineData("1 << 10**10", "1.2 GB")]
    [InlineData("list(range(10**12))", "7.3 TB")]
    [InlineData("sorted(range(10**12))", "7.3 TB")]
    [InlineData("'-'.join(['x' * 10**6] * 10**4)", "18.6 GB")]
    [InlineData("f'{0:>4000000000}'", "7.5 GB")]
    public void Results_of_gigabytes_are_refused_under_the_default_limit(string expression, string size)
    {
        var output = Run.Output($"try:\n    {expression}\nexcept MemoryError as e:\n    print(e)\n");
        Assert.Equal($"the result would take {size}, over the limit of 64 MB for one value (InterpreterOptions.MaxValueBytes)\n", output);
    }

    [Fact]
    public void An_uncaught_MemoryError_fails_the_run_with_its_name()
    {
        var (result, _) = Run.Program("x = 'ab' * 40000\n", options: SixtyFourKilobytes);
        Assert.Equal(ProgramStatus.Failed, result.Status);
        Assert.Equal("MemoryError: the result would take 156.3 KB, over the limit of 64 KB for one value (InterpreterOptions.MaxValueBytes)", result.ErrorSummary);
    }

    [Fact]
    public void MemoryError_is_an_Exception_as_in_CPython()
    {
        Assert.Equal("True False\n", Run.Output("print(issubclass(MemoryError, Exception), issubclass(MemoryError, RuntimeError))\n"));
    }

    [Fact]
    public void Zero_means_no_limit()
    {
        var output = Run.Output("print(len('ab' * 10**6))\n", options: new InterpreterOptions { MaxValueBytes = 0 });
        Assert.Equal("2000000\n", output);
    }

    [Fact]
    public void Outside_a_running_interpreter_the_default_limit_holds()
    {
        var error = Assert.Throws<ScriptError>(() => IntOps.Pow(10L, 1_000_000_000L));
        Assert.Equal("MemoryError: the result would take 396 MB, over the limit of 64 MB for one value (InterpreterOptions.MaxValueBytes)", error.Message);
    }
}
