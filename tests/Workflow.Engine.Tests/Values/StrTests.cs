using Workflow.Values;
using Workflow.Values.Text;
using static Workflow.Tests.Values.Py;

namespace Workflow.Tests.Values;

public class StrTests
{
    /// <summary>(text, CPython 3.11's repr(text)).</summary>
    private static readonly (string Text, string Repr)[] ReprCases =
    {
        ("", "''"), // repr('')
        ("a", "'a'"), // repr('a')
        ("it's", "\"it's\""), // repr("it's")
        ("say \"hi\"", "'say \"hi\"'"), // repr('say "hi"')
        ("both ' and \"", "'both \\' and \"'"), // repr('both \' and "')
        ("back\\slash", "'back\\\\slash'"), // repr('back\\slash')
        ("\n\r\t", "'\\n\\r\\t'"), // repr('\n\r\t')
        ("\u0000\u0007\u001b\u007f", "'\\x00\\x07\\x1b\\x7f'"), // repr('\x00\x07\x1b\x7f')
        ("\u0080\u009f\u00a0\u00ad\u00ff", "'\\x80\\x9f\\xa0\\xad\u00ff'"), // repr('\x80\x9f\xa0\xad\xff')
        ("\u00e9", "'\u00e9'"), // repr('\xe9')
        ("\u65e5\u672c\u8a9e", "'\u65e5\u672c\u8a9e'"), // repr('\u65e5\u672c\u8a9e')
        ("\u2028\u2029", "'\\u2028\\u2029'"), // repr('\u2028\u2029')
        ("\ufeff\u200b", "'\\ufeff\\u200b'"), // repr('\ufeff\u200b')
        ("\U0001f600", "'\U0001f600'"), // repr('\U0001f600')
        ("\U000e0001", "'\\U000e0001'"), // repr('\U000e0001')
        ("\U0010ffff", "'\\U0010ffff'"), // repr('\U0010ffff')
        ("\ud800", "'\\ud800'"), // repr('\ud800')
        ("a\udfffb", "'a\\udfffb'"), // repr('a\udfffb')
        ("\u0378", "'\\u0378'"), // repr('\u0378')
        ("\u00a0", "'\\xa0'"), // repr('\xa0')
        ("\u3000", "'\\u3000'"), // repr('\u3000')
        (" ", "' '"), // repr(' ')
        ("\U0001d7ce", "'\U0001d7ce'"), // repr('\U0001d7ce')
        ("\u0300", "'\u0300'"), // repr('\u0300')
        ("tab\there", "'tab\\there'"), // repr('tab\there')
        ("\u0391\u03a3", "'\u0391\u03a3'"), // repr('\u0391\u03a3')
        ("'", "\"'\""), // repr("'")
        ("\"", "'\"'"), // repr('"')
        ("'\"", "'\\'\"'"), // repr('\'"')
        ("\\'", "\"\\\\'\""), // repr("\\'")
    };

    /// <summary>(self, method, args, kwargs, CPython's repr of the result or "!! Type: message"); the comment is the Python call.</summary>
    private static readonly (string Self, string Method, object[] Args, Dictionary<string, object>? Kwargs, string Expected)[] MethodCases =
    {
        ("a b  c", "split", new object[] {  }, null, "['a', 'b', 'c']"), // "'a b  c'.split()"
        ("  a  b  ", "split", new object[] {  }, null, "['a', 'b']"), // "'  a  b  '.split()"
        ("", "split", new object[] {  }, null, "[]"), // "''.split()"
        ("   ", "split", new object[] {  }, null, "[]"), // "'   '.split()"
        ("a,b,,c,", "split", new object[] { "," }, null, "['a', 'b', '', 'c', '']"), // "'a,b,,c,'.split(',')"
        (",a,", "split", new object[] { "," }, null, "['', 'a', '']"), // "',a,'.split(',')"
        ("", "split", new object[] { "," }, null, "['']"), // "''.split(',')"
        ("a b c d", "split", new object[] { PyNone.Value, 2L }, null, "['a', 'b', 'c d']"), // "'a b c d'.split(None, 2)"
        ("  a b c  ", "split", new object[] { PyNone.Value, 1L }, null, "['a', 'b c  ']"), // "'  a b c  '.split(None, 1)"
        ("  a b c  ", "rsplit", new object[] { PyNone.Value, 1L }, null, "['  a b', 'c']"), // "'  a b c  '.rsplit(None, 1)"
        ("a,b,c", "rsplit", new object[] { ",", 1L }, null, "['a,b', 'c']"), // "'a,b,c'.rsplit(',', 1)"
        ("a,b,c", "split", new object[] { ",", 0L }, null, "['a,b,c']"), // "'a,b,c'.split(',', 0)"
        ("a,b,c", "split", new object[] { ",", -5L }, null, "['a', 'b', 'c']"), // "'a,b,c'.split(',', -5)"
        ("aaa", "split", new object[] { "aa" }, null, "['', 'a']"), // "'aaa'.split('aa')"
        ("aaa", "rsplit", new object[] { "aa" }, null, "['a', '']"), // "'aaa'.rsplit('aa')"
        ("a\u001cb\u0085c\u3000d\u200be", "split", new object[] {  }, null, "['a', 'b', 'c', 'd\\u200be']"), // "'a\\x1cb\\x85c\\u3000d\\u200be'.split()"
        ("a\tb\nc\u000bd\u000ce\rf", "split", new object[] {  }, null, "['a', 'b', 'c', 'd', 'e', 'f']"), // "'a\\tb\\nc\\x0bd\\x0ce\\rf'.split()"
        ("a b", "split", new object[] { "" }, null, "!! ValueError: empty separator"), // "'a b'.split('')"
        ("a b", "split", new object[] { 1L }, null, "!! TypeError: must be str or None, not int"), // "'a b'.split(1)"
        ("a", "split", new object[] { ",", 1L, 2L }, null, "!! TypeError: split() takes at most 2 arguments (3 given)"), // "'a'.split(',', 1, 2)"
        ("a", "split", new object[] { ",", "x" }, null, "!! TypeError: 'str' object cannot be interpreted as an integer"), // "'a'.split(',', 'x')"
        ("a", "split", new object[] { ",", Big("1180591620717411303424") }, null, "!! OverflowError: Python int too large to convert to C ssize_t"), // "'a'.split(',', 1180591620717411303424)"
        ("a", "split", new object[] { ",", D(0x3FF8000000000000UL) }, null, "!! TypeError: 'float' object cannot be interpreted as an integer"), // "'a'.split(',', 1.5)"
        ("a\r\nb\rc\nd\u000be\u000cf\u001cg\u001dh\u001ei\u0085j\u2028k\u2029l", "splitlines", new object[] {  }, null, "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']"), // "'a\\r\\nb\\rc\\nd\\x0be\\x0cf\\x1cg\\x1dh\\x1ei\\x85j\\u2028k\\u2029l'.splitlines()"
        ("a\r\nb\n", "splitlines", new object[] { true }, null, "['a\\r\\n', 'b\\n']"), // "'a\\r\\nb\\n'.splitlines(True)"
        ("\n\n", "splitlines", new object[] {  }, null, "['', '']"), // "'\\n\\n'.splitlines()"
        ("", "splitlines", new object[] {  }, null, "[]"), // "''.splitlines()"
        ("x", "splitlines", new object[] { 1L, 2L }, null, "!! TypeError: splitlines() takes at most 1 argument (2 given)"), // "'x'.splitlines(1, 2)"
        ("key=value=x", "partition", new object[] { "=" }, null, "('key', '=', 'value=x')"), // "'key=value=x'.partition('=')"
        ("key=value=x", "rpartition", new object[] { "=" }, null, "('key=value', '=', 'x')"), // "'key=value=x'.rpartition('=')"
        ("abc", "partition", new object[] { "z" }, null, "('abc', '', '')"), // "'abc'.partition('z')"
        ("abc", "rpartition", new object[] { "z" }, null, "('', '', 'abc')"), // "'abc'.rpartition('z')"
        ("abc", "partition", new object[] { "" }, null, "!! ValueError: empty separator"), // "'abc'.partition('')"
        ("abc", "partition", new object[] { 1L }, null, "!! TypeError: must be str, not int"), // "'abc'.partition(1)"
        ("-", "join", new object[] { new PyList(new List<object> { "a", "b", "c" }) }, null, "'a-b-c'"), // "'-'.join(['a', 'b', 'c'])"
        ("", "join", new object[] { PyTuple.Of("x", "y") }, null, "'xy'"), // "''.join(('x', 'y'))"
        (", ", "join", new object[] { new PyList(new List<object> {  }) }, null, "''"), // "', '.join([])"
        ("-", "join", new object[] { new PyList(new List<object> { "a", 1L }) }, null, "!! TypeError: sequence item 1: expected str instance, int found"), // "'-'.join(['a', 1])"
        ("-", "join", new object[] { new PyList(new List<object> { "a", PyNone.Value }) }, null, "!! TypeError: sequence item 1: expected str instance, NoneType found"), // "'-'.join(['a', None])"
        ("-", "join", new object[] { 5L }, null, "!! TypeError: can only join an iterable"), // "'-'.join(5)"
        ("  hi  ", "strip", new object[] {  }, null, "'hi'"), // "'  hi  '.strip()"
        ("xxhixx", "strip", new object[] { "x" }, null, "'hi'"), // "'xxhixx'.strip('x')"
        ("xxhixx", "lstrip", new object[] { "x" }, null, "'hixx'"), // "'xxhixx'.lstrip('x')"
        ("xxhixx", "rstrip", new object[] { "x" }, null, "'xxhi'"), // "'xxhixx'.rstrip('x')"
        ("\u3000\u0085hi\u001c", "strip", new object[] {  }, null, "'hi'"), // "'\\u3000\\x85hi\\x1c'.strip()"
        ("hi", "strip", new object[] { PyNone.Value }, null, "'hi'"), // "'hi'.strip(None)"
        ("hi", "strip", new object[] { 1L }, null, "!! TypeError: strip arg must be None or str"), // "'hi'.strip(1)"
        ("hi", "lstrip", new object[] { 1L }, null, "!! TypeError: lstrip arg must be None or str"), // "'hi'.lstrip(1)"
        ("hi", "strip", new object[] { "a", "b" }, null, "!! TypeError: strip expected at most 1 argument, got 2"), // "'hi'.strip('a', 'b')"
        ("abcabc", "replace", new object[] { "b", "XY" }, null, "'aXYcaXYc'"), // "'abcabc'.replace('b', 'XY')"
        ("abcabc", "replace", new object[] { "b", "XY", 1L }, null, "'aXYcabc'"), // "'abcabc'.replace('b', 'XY', 1)"
        ("abc", "replace", new object[] { "", "-" }, null, "'-a-b-c-'"), // "'abc'.replace('', '-')"
        ("abc", "replace", new object[] { "", "-", 2L }, null, "'-a-bc'"), // "'abc'.replace('', '-', 2)"
        ("", "replace", new object[] { "", "x" }, null, "'x'"), // "''.replace('', 'x')"
        ("abc", "replace", new object[] { "b", "" }, null, "'ac'"), // "'abc'.replace('b', '')"
        ("abc", "replace", new object[] { "a" }, null, "!! TypeError: replace expected at least 2 arguments, got 1"), // "'abc'.replace('a')"
        ("abc", "replace", new object[] { 1L, "b" }, null, "!! TypeError: replace() argument 1 must be str, not int"), // "'abc'.replace(1, 'b')"
        ("abc", "replace", new object[] { "a", PyNone.Value }, null, "!! TypeError: replace() argument 2 must be str, not None"), // "'abc'.replace('a', None)"
        ("abc", "replace", new object[] { "a", "b", "c" }, null, "!! TypeError: 'str' object cannot be interpreted as an integer"), // "'abc'.replace('a', 'b', 'c')"
        ("TestCase", "removeprefix", new object[] { "Test" }, null, "'Case'"), // "'TestCase'.removeprefix('Test')"
        ("TestCase", "removesuffix", new object[] { "Case" }, null, "'Test'"), // "'TestCase'.removesuffix('Case')"
        ("TestCase", "removeprefix", new object[] { "x" }, null, "'TestCase'"), // "'TestCase'.removeprefix('x')"
        ("a", "removeprefix", new object[] { 1L }, null, "!! TypeError: removeprefix() argument must be str, not int"), // "'a'.removeprefix(1)"
        ("42", "zfill", new object[] { 5L }, null, "'00042'"), // "'42'.zfill(5)"
        ("-42", "zfill", new object[] { 5L }, null, "'-0042'"), // "'-42'.zfill(5)"
        ("+42", "zfill", new object[] { 2L }, null, "'+42'"), // "'+42'.zfill(2)"
        ("", "zfill", new object[] { 3L }, null, "'000'"), // "''.zfill(3)"
        ("a", "zfill", new object[] { "a" }, null, "!! TypeError: 'str' object cannot be interpreted as an integer"), // "'a'.zfill('a')"
        ("ab", "center", new object[] { 5L }, null, "'  ab '"), // "'ab'.center(5)"
        ("ab", "center", new object[] { 6L, "*" }, null, "'**ab**'"), // "'ab'.center(6, '*')"
        ("abc", "center", new object[] { 6L, "*" }, null, "'*abc**'"), // "'abc'.center(6, '*')"
        ("ab", "center", new object[] { 5L, "ab" }, null, "!! TypeError: The fill character must be exactly one character long"), // "'ab'.center(5, 'ab')"
        ("ab", "center", new object[] { 5L, 1L }, null, "!! TypeError: The fill character must be a unicode character, not int"), // "'ab'.center(5, 1)"
        ("ab", "ljust", new object[] { 5L, "." }, null, "'ab...'"), // "'ab'.ljust(5, '.')"
        ("ab", "rjust", new object[] { 5L, "." }, null, "'...ab'"), // "'ab'.rjust(5, '.')"
        ("ab", "rjust", new object[] { -1L }, null, "'ab'"), // "'ab'.rjust(-1)"
        ("a\tbc\tdef\n\tx", "expandtabs", new object[] {  }, null, "'a       bc      def\\n        x'"), // "'a\\tbc\\tdef\\n\\tx'.expandtabs()"
        ("a\tb", "expandtabs", new object[] { 4L }, null, "'a   b'"), // "'a\\tb'.expandtabs(4)"
        ("a\tb", "expandtabs", new object[] { 0L }, null, "'ab'"), // "'a\\tb'.expandtabs(0)"
        ("a\tb", "expandtabs", new object[] { "x" }, null, "!! TypeError: 'str' object cannot be interpreted as an integer"), // "'a\\tb'.expandtabs('x')"
        ("Hello World", "upper", new object[] {  }, null, "'HELLO WORLD'"), // "'Hello World'.upper()"
        ("Hello World", "lower", new object[] {  }, null, "'hello world'"), // "'Hello World'.lower()"
        ("stra\u00dfe", "upper", new object[] {  }, null, "'STRASSE'"), // "'stra\xdfe'.upper()"
        ("\u0130", "lower", new object[] {  }, null, "'i\u0307'"), // "'\u0130'.lower()"
        ("\u0391\u03a3 \u039f\u0394\u039f\u03a3.", "lower", new object[] {  }, null, "'\u03b1\u03c2 \u03bf\u03b4\u03bf\u03c2.'"), // "'\u0391\u03a3 \u039f\u0394\u039f\u03a3.'.lower()"
        ("\u0391\u03a3\u0391", "lower", new object[] {  }, null, "'\u03b1\u03c3\u03b1'"), // "'\u0391\u03a3\u0391'.lower()"
        ("\ufb01", "upper", new object[] {  }, null, "'FI'"), // "'\ufb01'.upper()"
        ("Stra\u00dfe", "casefold", new object[] {  }, null, "'strasse'"), // "'Stra\xdfe'.casefold()"
        ("hello wORLD", "capitalize", new object[] {  }, null, "'Hello world'"), // "'hello wORLD'.capitalize()"
        ("\u01c6emal", "capitalize", new object[] {  }, null, "'\u01c5emal'"), // "'\u01c6emal'.capitalize()"
        ("they're bill's friends", "title", new object[] {  }, null, "\"They'Re Bill'S Friends\""), // '"they\'re bill\'s friends".title()'
        ("hello_world-foo bar", "title", new object[] {  }, null, "'Hello_World-Foo Bar'"), // "'hello_world-foo bar'.title()"
        ("Hello World", "swapcase", new object[] {  }, null, "'hELLO wORLD'"), // "'Hello World'.swapcase()"
        ("\u01c5", "swapcase", new object[] {  }, null, "'\u01c5'"), // "'\u01c5'.swapcase()"
        ("a", "upper", new object[] { 1L }, null, "!! TypeError: str.upper() takes no arguments (1 given)"), // "'a'.upper(1)"
        ("abcabc", "find", new object[] { "c" }, null, "2"), // "'abcabc'.find('c')"
        ("abcabc", "rfind", new object[] { "c" }, null, "5"), // "'abcabc'.rfind('c')"
        ("abcabc", "find", new object[] { "c", 3L }, null, "5"), // "'abcabc'.find('c', 3)"
        ("abcabc", "find", new object[] { "c", -2L }, null, "5"), // "'abcabc'.find('c', -2)"
        ("abcabc", "find", new object[] { "c", 0L, 2L }, null, "-1"), // "'abcabc'.find('c', 0, 2)"
        ("abc", "find", new object[] { "" }, null, "0"), // "'abc'.find('')"
        ("abc", "find", new object[] { "", 3L }, null, "3"), // "'abc'.find('', 3)"
        ("abc", "find", new object[] { "", 4L }, null, "-1"), // "'abc'.find('', 4)"
        ("abc", "rfind", new object[] { "" }, null, "3"), // "'abc'.rfind('')"
        ("abc", "find", new object[] { "c", PyNone.Value, PyNone.Value }, null, "2"), // "'abc'.find('c', None, None)"
        ("abc", "find", new object[] { "c", Big("1180591620717411303424") }, null, "-1"), // "'abc'.find('c', 1180591620717411303424)"
        ("abc", "find", new object[] { "c", Big("-1180591620717411303424") }, null, "2"), // "'abc'.find('c', -1180591620717411303424)"
        ("abc", "find", new object[] { 1L }, null, "!! TypeError: must be str, not int"), // "'abc'.find(1)"
        ("abc", "find", new object[] { "c", "x" }, null, "!! TypeError: slice indices must be integers or None or have an __index__ method"), // "'abc'.find('c', 'x')"
        ("abc", "find", new object[] {  }, null, "!! TypeError: find() takes at least 1 argument (0 given)"), // "'abc'.find()"
        ("abc", "index", new object[] { "z" }, null, "!! ValueError: substring not found"), // "'abc'.index('z')"
        ("abc", "rindex", new object[] { "z" }, null, "!! ValueError: substring not found"), // "'abc'.rindex('z')"
        ("abc", "index", new object[] { "c" }, null, "2"), // "'abc'.index('c')"
        ("aaaa", "count", new object[] { "aa" }, null, "2"), // "'aaaa'.count('aa')"
        ("abc", "count", new object[] { "" }, null, "4"), // "'abc'.count('')"
        ("abc", "count", new object[] { "", 1L }, null, "3"), // "'abc'.count('', 1)"
        ("abc", "count", new object[] { "", 4L }, null, "0"), // "'abc'.count('', 4)"
        ("hello", "startswith", new object[] { "he" }, null, "True"), // "'hello'.startswith('he')"
        ("hello", "startswith", new object[] { PyTuple.Of("x", "he") }, null, "True"), // "'hello'.startswith(('x', 'he'))"
        ("hello", "startswith", new object[] { "l", 2L }, null, "True"), // "'hello'.startswith('l', 2)"
        ("hello", "startswith", new object[] { "", 5L }, null, "True"), // "'hello'.startswith('', 5)"
        ("hello", "startswith", new object[] { "", 6L }, null, "False"), // "'hello'.startswith('', 6)"
        ("hello", "endswith", new object[] { "lo" }, null, "True"), // "'hello'.endswith('lo')"
        ("hello", "endswith", new object[] { "l", 0L, 4L }, null, "True"), // "'hello'.endswith('l', 0, 4)"
        ("hello", "endswith", new object[] { PyTuple.Empty }, null, "False"), // "'hello'.endswith(())"
        ("hello", "startswith", new object[] { 1L }, null, "!! TypeError: startswith first arg must be str or a tuple of str, not int"), // "'hello'.startswith(1)"
        ("hello", "startswith", new object[] { PyTuple.Of("he", 1L) }, null, "True"), // "'hello'.startswith(('he', 1))"
        ("hello", "startswith", new object[] { PyTuple.Of(1L, "he") }, null, "!! TypeError: tuple for startswith must only contain str, not int"), // "'hello'.startswith((1, 'he'))"
        ("hello", "endswith", new object[] { new PyList(new List<object> { "lo" }) }, null, "!! TypeError: endswith first arg must be str or a tuple of str, not list"), // "'hello'.endswith(['lo'])"
        ("hello", "startswith", new object[] {  }, null, "!! TypeError: startswith() takes at least 1 argument (0 given)"), // "'hello'.startswith()"
        ("123", "isdigit", new object[] {  }, null, "True"), // "'123'.isdigit()"
        ("\u00b2", "isdigit", new object[] {  }, null, "True"), // "'\xb2'.isdigit()"
        ("\u00b2", "isdecimal", new object[] {  }, null, "False"), // "'\xb2'.isdecimal()"
        ("\u00bd", "isnumeric", new object[] {  }, null, "True"), // "'\xbd'.isnumeric()"
        ("\u4e00", "isnumeric", new object[] {  }, null, "True"), // "'\u4e00'.isnumeric()"
        ("\u0661\u0662", "isdecimal", new object[] {  }, null, "True"), // "'\u0661\u0662'.isdecimal()"
        ("", "isdigit", new object[] {  }, null, "False"), // "''.isdigit()"
        ("abc", "isalpha", new object[] {  }, null, "True"), // "'abc'.isalpha()"
        ("ab1", "isalnum", new object[] {  }, null, "True"), // "'ab1'.isalnum()"
        (" \t\u001c", "isspace", new object[] {  }, null, "True"), // "' \\t\\x1c'.isspace()"
        ("", "isspace", new object[] {  }, null, "False"), // "''.isspace()"
        ("ABC", "isupper", new object[] {  }, null, "True"), // "'ABC'.isupper()"
        ("AB1", "isupper", new object[] {  }, null, "True"), // "'AB1'.isupper()"
        ("\u01c5", "isupper", new object[] {  }, null, "False"), // "'\u01c5'.isupper()"
        ("abc", "islower", new object[] {  }, null, "True"), // "'abc'.islower()"
        ("Hello World", "istitle", new object[] {  }, null, "True"), // "'Hello World'.istitle()"
        ("Hello world", "istitle", new object[] {  }, null, "False"), // "'Hello world'.istitle()"
        ("\u01c5emal", "istitle", new object[] {  }, null, "True"), // "'\u01c5emal'.istitle()"
        ("_a1", "isidentifier", new object[] {  }, null, "True"), // "'_a1'.isidentifier()"
        ("1a", "isidentifier", new object[] {  }, null, "False"), // "'1a'.isidentifier()"
        ("\u03bbx", "isidentifier", new object[] {  }, null, "True"), // "'\u03bbx'.isidentifier()"
        ("", "isidentifier", new object[] {  }, null, "False"), // "''.isidentifier()"
        ("a\u0378", "isprintable", new object[] {  }, null, "False"), // "'a\\u0378'.isprintable()"
        ("", "isprintable", new object[] {  }, null, "True"), // "''.isprintable()"
        ("\u00e9", "isascii", new object[] {  }, null, "False"), // "'\xe9'.isascii()"
        ("a", "isdigit", new object[] { 1L }, null, "!! TypeError: str.isdigit() takes no arguments (1 given)"), // "'a'.isdigit(1)"
        ("a,b,c", "split", new object[] {  }, new Dictionary<string, object> { ["sep"] = ",", ["maxsplit"] = 1L }, "['a', 'b,c']"), // "'a,b,c'.split(sep=',', maxsplit=1)"
        ("a b c", "split", new object[] {  }, new Dictionary<string, object> { ["maxsplit"] = 1L }, "['a', 'b c']"), // "'a b c'.split(maxsplit=1)"
        ("a,b", "split", new object[] { "," }, new Dictionary<string, object> { ["sep"] = "," }, "!! TypeError: argument for split() given by name ('sep') and position (1)"), // "'a,b'.split(',', sep=',')"
        ("a", "split", new object[] {  }, new Dictionary<string, object> { ["foo"] = 1L }, "!! TypeError: 'foo' is an invalid keyword argument for split()"), // "'a'.split(foo=1)"
        ("a", "split", new object[] {  }, new Dictionary<string, object> { ["sep"] = ",", ["maxsplit"] = 1L, ["x"] = 2L }, "!! TypeError: split() takes at most 2 keyword arguments (3 given)"), // "'a'.split(sep=',', maxsplit=1, x=2)"
        ("a\nb\n", "splitlines", new object[] {  }, new Dictionary<string, object> { ["keepends"] = true }, "['a\\n', 'b\\n']"), // "'a\\nb\\n'.splitlines(keepends=True)"
        ("a", "splitlines", new object[] { true }, new Dictionary<string, object> { ["keepends"] = true }, "!! TypeError: splitlines() takes at most 1 argument (2 given)"), // "'a'.splitlines(True, keepends=True)"
        ("a\tb", "expandtabs", new object[] {  }, new Dictionary<string, object> { ["tabsize"] = 2L }, "'a b'"), // "'a\\tb'.expandtabs(tabsize=2)"
        ("abc", "find", new object[] { "a" }, new Dictionary<string, object> { ["start"] = 1L }, "!! TypeError: find() takes no keyword arguments"), // "'abc'.find('a', start=1)"
        ("abc", "replace", new object[] {  }, new Dictionary<string, object> { ["old"] = "a", ["new"] = "b" }, "!! TypeError: str.replace() takes no keyword arguments"), // "'abc'.replace(old='a', new='b')"
        ("abc", "upper", new object[] {  }, new Dictionary<string, object> { ["x"] = 1L }, "!! TypeError: str.upper() takes no keyword arguments"), // "'abc'.upper(x=1)"
        ("a", "join", new object[] { new PyList(new List<object> { "x" }) }, new Dictionary<string, object> { ["x"] = 1L }, "!! TypeError: str.join() takes no keyword arguments"), // "'a'.join(['x'], x=1)"
    };

    /// <summary>(format string, args, kwargs, CPython's repr of format(...) or "!! Type: message").</summary>
    private static readonly (string Format, object[] Args, Dictionary<string, object>? Kwargs, string Expected)[] FormatCases =
    {
        ("{}", new object[] {  }, null, "!! IndexError: Replacement index 0 out of range for positional args tuple"), // "'{}'.format()"
        ("{1}", new object[] { 1L }, null, "!! IndexError: Replacement index 1 out of range for positional args tuple"), // "'{1}'.format(1)"
        ("{a}", new object[] { 1L }, null, "!! KeyError: 'a'"), // "'{a}'.format(1)"
        ("{", new object[] { 1L }, null, "!! ValueError: Single '{' encountered in format string"), // "'{'.format(1)"
        ("}", new object[] { 1L }, null, "!! ValueError: Single '}' encountered in format string"), // "'}'.format(1)"
        ("{0!x}", new object[] { 1L }, null, "!! ValueError: Unknown conversion specifier x"), // "'{0!x}'.format(1)"
        ("{0!}", new object[] { 1L }, null, "!! ValueError: unmatched '{' in format spec"), // "'{0!}'.format(1)"
        ("{0!rr}", new object[] { 1L }, null, "!! ValueError: expected ':' after conversion specifier"), // "'{0!rr}'.format(1)"
        ("{}{0}", new object[] { 1L }, null, "!! ValueError: cannot switch from automatic field numbering to manual field specification"), // "'{}{0}'.format(1)"
        ("{0}{}", new object[] { 1L }, null, "!! ValueError: cannot switch from manual field specification to automatic field numbering"), // "'{0}{}'.format(1)"
        ("{:{}}", new object[] { 1L, 5L }, null, "'    1'"), // "'{:{}}'.format(1, 5)"
        ("{0:{1}}", new object[] { 1L, 5L }, null, "'    1'"), // "'{0:{1}}'.format(1, 5)"
        ("{:{:{}}}", new object[] { 1L, 2L, 3L }, null, "!! ValueError: Max string recursion exceeded"), // "'{:{:{}}}'.format(1, 2, 3)"
        ("{0[0]}", new object[] { new PyList(new List<object> { 5L }) }, null, "'5'"), // "'{0[0]}'.format([5])"
        ("{0[x}", new object[] { 1L }, null, "!! ValueError: expected '}' before end of string"), // "'{0[x}'.format(1)"
        ("{0]}", new object[] { 1L }, null, "!! KeyError: '0]'"), // "'{0]}'.format(1)"
        ("{!r}", new object[] { "a" }, null, "\"'a'\""), // "'{!r}'.format('a')"
        ("{0!s:>5}", new object[] { "a" }, null, "'    a'"), // "'{0!s:>5}'.format('a')"
        ("{:}", new object[] { 3L }, null, "'3'"), // "'{:}'.format(3)"
        ("{  }", new object[] { 3L }, null, "!! KeyError: '  '"), // "'{  }'.format(3)"
        ("{0}}", new object[] { 3L }, null, "!! ValueError: Single '}' encountered in format string"), // "'{0}}'.format(3)"
        ("{{}}", new object[] { 3L }, null, "'{}'"), // "'{{}}'.format(3)"
        ("{0:d}", new object[] { "a" }, null, "!! ValueError: Unknown format code 'd' for object of type 'str'"), // "'{0:d}'.format('a')"
        ("{0!r", new object[] { 1L }, null, "!! ValueError: unmatched '{' in format spec"), // "'{0!r'.format(1)"
        ("{0:", new object[] { 1L }, null, "!! ValueError: unmatched '{' in format spec"), // "'{0:'.format(1)"
        ("{} {}", new object[] { 1L }, null, "!! IndexError: Replacement index 1 out of range for positional args tuple"), // "'{} {}'.format(1)"
        ("{0!a}", new object[] { "\u00e9\U0001f600" }, null, "\"'\\\\xe9\\\\U0001f600'\""), // "'{0!a}'.format('\xe9\U0001f600')"
        ("{foo}", new object[] {  }, new Dictionary<string, object> { ["bar"] = 1L }, "!! KeyError: 'foo'"), // "'{foo}'.format(bar=1)"
        ("{0:{a}{b}}", new object[] { 1L }, new Dictionary<string, object> { ["a"] = ">", ["b"] = 4L }, "'   1'"), // "'{0:{a}{b}}'.format(1, a='>', b=4)"
        ("{0:{{}}}", new object[] { 1L }, null, "!! ValueError: Invalid format specifier '{}' for object of type 'int'"), // "'{0:{{}}}'.format(1)"
        ("{:{0}}", new object[] { 1L }, null, "!! ValueError: cannot switch from automatic field numbering to manual field specification"), // "'{:{0}}'.format(1)"
        ("{a[1][0]}", new object[] {  }, new Dictionary<string, object> { ["a"] = new PyList(new List<object> { 1L, new PyList(new List<object> { 7L }) }) }, "'7'"), // "'{a[1][0]}'.format(a=[1, [7]])"
        ("{a[1]}", new object[] {  }, new Dictionary<string, object> { ["a"] = PyTuple.Of(1L) }, "!! IndexError: tuple index out of range"), // "'{a[1]}'.format(a=(1,))"
        ("{a[-1]}", new object[] {  }, new Dictionary<string, object> { ["a"] = new PyList(new List<object> { 1L, 2L }) }, "!! TypeError: list indices must be integers or slices, not str"), // "'{a[-1]}'.format(a=[1, 2])"
        ("{0[]}", new object[] { new PyList(new List<object> { 1L }) }, null, "!! ValueError: Empty attribute in format string"), // "'{0[]}'.format([1])"
        ("{0.}", new object[] { 1L }, null, "!! ValueError: Empty attribute in format string"), // "'{0.}'.format(1)"
        ("{0[0]x}", new object[] { new PyList(new List<object> { 1L }) }, null, "!! ValueError: Only '.' or '[' may follow ']' in format field specifier"), // "'{0[0]x}'.format([1])"
        ("}}{{", new object[] {  }, null, "'}{'"), // "'}}{{'.format()"
        ("{00}", new object[] { 5L }, null, "'5'"), // "'{00}'.format(5)"
        ("a{}b{}c", new object[] { 1L, 2L }, null, "'a1b2c'"), // "'a{}b{}c'.format(1, 2)"
        ("{name}={value!r}", new object[] {  }, new Dictionary<string, object> { ["name"] = "k", ["value"] = "v" }, "\"k='v'\""), // "'{name}={value!r}'.format(name='k', value='v')"
        ("{:>10}|{:<10}|{:^10}", new object[] { "a", "b", "c" }, null, "'         a|b         |    c     '"), // "'{:>10}|{:<10}|{:^10}'.format('a', 'b', 'c')"
        ("{:,}", new object[] { 1234567L }, null, "'1,234,567'"), // "'{:,}'.format(1234567)"
        ("{:.2f}", new object[] { D(0x400921F9F01B866EUL) }, null, "'3.14'"), // "'{:.2f}'.format(3.14159)"
        ("{:08.3f}", new object[] { D(0xC00921F9F01B866EUL) }, null, "'-003.142'"), // "'{:08.3f}'.format(-3.14159)"
        ("{0[1]}", new object[] { "abc" }, null, "'b'"), // "'{0[1]}'.format('abc')"
        ("{}", new object[] { PyNone.Value }, null, "'None'"), // "'{}'.format(None)"
        ("{:>5}", new object[] { PyNone.Value }, null, "!! TypeError: unsupported format string passed to NoneType.__format__"), // "'{:>5}'.format(None)"
        ("{!s:>5}", new object[] { PyNone.Value }, null, "' None'"), // "'{!s:>5}'.format(None)"
        ("{}", new object[] { new PyList(new List<object> { 1L, "a" }) }, null, "\"[1, 'a']\""), // "'{}'.format([1, 'a'])"
        ("{:5}", new object[] { true }, null, "'    1'"), // "'{:5}'.format(True)"
        ("{}", new object[] { true }, null, "'True'"), // "'{}'.format(True)"
        ("{0:{1}.{2}f}", new object[] { D(0x400921F9F01B866EUL), 10L, 2L }, null, "'      3.14'"), // "'{0:{1}.{2}f}'.format(3.14159, 10, 2)"
        ("{0!\u0001}", new object[] { 1L }, null, "!! ValueError: Unknown conversion specifier \\x1"), // "'{0!\\x01}'.format(1)"
        ("x{{{0}}}y", new object[] { 1L }, null, "'x{1}y'"), // "'x{{{0}}}y'.format(1)"
        ("{99999999999999999999999}", new object[] {  }, null, "!! ValueError: Too many decimal digits in format string"), // "'{99999999999999999999999}'.format()"
    };

    public static IEnumerable<object[]> ReprIndexes => ReprCases.Select((c, i) => new object[] { i });
    public static IEnumerable<object[]> MethodIndexes => MethodCases.Select((c, i) => new object[] { i });
    public static IEnumerable<object[]> FormatIndexes => FormatCases.Select((c, i) => new object[] { i });

    private static string Outcome(Func<object> call)
    {
        try
        {
            return Ops.Repr(call());
        }
        catch (ScriptError e)
        {
            return $"!! {e.Exception.Class.Name}: {ExceptionText.Str(e.Exception)}";
        }
    }

    [Theory]
    [MemberData(nameof(ReprIndexes))]
    public void Repr_MatchesCPython(int index)
    {
        var (text, repr) = ReprCases[index];
        Assert.Equal(repr, StrRepr.Repr(text));
    }

    [Theory]
    [MemberData(nameof(MethodIndexes))]
    public void Method_MatchesCPython(int index)
    {
        var (self, method, args, kwargs, expected) = MethodCases[index];
        Assert.Equal(expected, Outcome(() => StrMethods.Table[method](self, args, kwargs)));
    }

    [Theory]
    [MemberData(nameof(FormatIndexes))]
    public void StrFormat_MatchesCPython(int index)
    {
        var (format, args, kwargs, expected) = FormatCases[index];
        // StrFormat itself: the method table's entry needs a running interpreter (user methods run as frames).
        Assert.Equal(expected, Outcome(() => StrFormat.Format((string)format, args, kwargs)));
    }

    [Fact]
    public void Split_WithoutSeparator_ReturnsTheSameStringWhenThereIsNothingToSplit()
    {
        const string s = "word";
        var parts = (PyList)Call(s, "split");
        Assert.Same(s, parts.Items[0]);
    }
}
