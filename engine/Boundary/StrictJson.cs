using System.Globalization;
using System.Numerics;
using System.Text;
using Newtonsoft.Json.Linq;
using Workflow.Values.Numbers;

namespace Workflow.Boundary;

/// <summary>
/// The one reader of JSON that crosses into the engine: REST bodies, <c>wf --input</c> and
/// <c>--payload</c>, signal payloads, activity results and HTTP bodies, and every payload read back
/// from the store. It takes RFC 8259 JSON and nothing else: one value, with optional whitespace
/// (space, tab, line feed, carriage return) around it. Json.NET's own reader, even with every
/// setting strict, also takes comments, single quotes, trailing commas, missing values (<c>[1,,2]</c>),
/// unquoted names, NaN and Infinity, hex and octal numbers, <c>.5</c> and <c>1.</c>, <c>undefined</c>,
/// <c>new Date(…)</c>, and raw control characters in strings; this reader refuses each of them,
/// and builds Json.NET's tokens itself.
/// <para>
/// Where RFC 8259 leaves a choice to implementations, it refuses:
/// a name that appears twice in one object (the RFC says names SHOULD be unique; when one
/// reader keeps the first value and another the last, they read different documents);
/// a <c>\u</c> escape of half a surrogate pair (RFC 8259 §8.2: not Unicode text, and the database
/// would store U+FFFD in its place); nesting deeper than <see cref="MaxDepth"/>; an integer of more
/// than 4,300 digits (Python's limit for reading one); a number beyond a double's range.
/// </para>
/// Values are kept exact: integers as long or BigInteger however long, other numbers as the
/// nearest double, strings as strings (never parsed as dates). Refusals are
/// <see cref="InvalidJsonException"/>s that name the line and position. Reading is iterative, so no
/// text, however deep, can overflow the stack.
/// </summary>
internal static class StrictJson
{
    /// <summary>
    /// How many arrays and objects deep a value may nest: 1,000. Json.NET and the pickler write values
    /// back out recursively, so the bound keeps every walk of a value far from the end of a thread's
    /// stack; a workflow's outgoing data is held to the same depth (JsonValues.DumpsData).
    /// </summary>
    public const int MaxDepth = 1_000;

    /// <summary>The one JSON value in [text]; InvalidJsonException when [text] is anything else.</summary>
    public static JToken Parse(string text) => new Reader(text).Document();

    /// <summary>The index of the first UTF-16 code unit in [text] that is half of a surrogate pair on its own, or -1: text JSON cannot carry.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (int i = text.IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1])) return i;
            i++;
        }
        return -1;
    }

    private sealed class Reader(string text)
    {
        private int _pos, _line = 1, _lineStart;

        /// <summary>The arrays and objects being read, innermost last, each with the name its next value goes under (objects).</summary>
        private readonly List<(JContainer Container, string? Name)> _open = new();

        public JToken Document()
        {
            SkipWhitespace();
            if (_pos == text.Length)
                throw Error(text.Length == 0 ? "the text is empty; it must be one JSON value" : "the text is only whitespace; it must be one JSON value");
            var value = Value();
            SkipWhitespace();
            if (_pos < text.Length) throw Error($"{Describe(text[_pos])} after the JSON value; a JSON text is exactly one value");
            return value;
        }

        /// <summary>Reads one value and everything nested in it; an array or object waits in _open while its members are read.</summary>
        private JToken Value()
        {
            while (true)
            {
                SkipWhitespace();
                if (_pos == text.Length) throw Error("the text ends where a value should be");
                JToken value;
                char c = text[_pos];
                if (c is '{' or '[')
                {
                    if (_open.Count == MaxDepth) throw Error($"the value nests more than {MaxDepth:N0} arrays and objects deep");
                    _pos++;
                    JContainer container = c == '{' ? new JObject() : new JArray();
                    SkipWhitespace();
                    if (At(c == '{' ? '}' : ']'))
                    {
                        _pos++;
                        value = container;
                    }
                    else
                    {
                        _open.Add((container, null));
                        if (container is JObject) Name();
                        continue;
                    }
                }
                else
                {
                    value = Scalar();
                }

                // Put the value in its container; a container this closes goes into its own in turn.
                while (true)
                {
                    if (_open.Count == 0) return value;
                    var (container, name) = _open[^1];
                    if (container is JObject obj) obj.Add(new JProperty(name!, value));
                    else container.Add(value);
                    SkipWhitespace();
                    char close = container is JObject ? '}' : ']';
                    if (At(','))
                    {
                        _pos++;
                        SkipWhitespace();
                        if (At(close)) throw Error($"a comma before '{close}' (a trailing comma) is not JSON");
                        if (container is JObject) Name();
                        break;
                    }
                    if (!At(close))
                    {
                        throw Error(_pos == text.Length
                            ? $"the text ends inside {(container is JObject ? "an object" : "an array")}; expected ',' or '{close}'"
                            : $"{Describe(text[_pos])} where ',' or '{close}' should be");
                    }
                    _pos++;
                    _open.RemoveAt(_open.Count - 1);
                    value = container;
                }
            }
        }

        /// <summary>Reads an object member's name and its ':' (whitespace before it skipped), refusing one the object has already.</summary>
        private void Name()
        {
            var obj = (JObject)_open[^1].Container;
            if (_pos == text.Length) throw Error("the text ends inside an object; expected a name in double quotes");
            if (!At('"'))
            {
                char c = text[_pos];
                throw Error(c == '\'' ? "a name in single quotes; JSON names are strings in double quotes"
                    : char.IsAsciiLetter(c) || c is '_' or '$' ? "a name without quotes; JSON names are strings in double quotes"
                    : $"{Describe(c)} where a name in double quotes should be");
            }
            int start = _pos;
            var name = String();
            if (obj.ContainsKey(name))
                throw ErrorAt(start, $"the name {Shorten(new JValue(name).ToString(Newtonsoft.Json.Formatting.None))} appears twice in one object; a name may appear once");
            SkipWhitespace();
            if (!At(':'))
                throw Error(_pos == text.Length ? "the text ends after a name; expected ':'" : $"{Describe(text[_pos])} where ':' should be");
            _pos++;
            _open[^1] = (obj, name);
        }

        private JValue Scalar()
        {
            char c = text[_pos];
            if (c == '"') return new JValue(String());
            if (c == '-' || char.IsAsciiDigit(c)) return Number();
            if (char.IsAsciiLetter(c)) return Literal();
            throw Error(c switch
            {
                '\'' => "a string in single quotes; JSON strings are in double quotes",
                '/' => "'/': JSON has no comments",
                '+' => "'+': a JSON number has no plus sign",
                '.' => "'.': a JSON number starts with a digit (0.5, not .5)",
                ',' or ']' or '}' => $"'{c}' where a value should be (a value is missing)",
                '\uFEFF' => "a byte order mark (U+FEFF); JSON text has none",
                _ => $"{Describe(c)} cannot start a JSON value (an object, array, string, number, true, false or null)",
            });
        }

        /// <summary>true, false or null, spelled exactly so; any other word is refused whole.</summary>
        private JValue Literal()
        {
            int start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            var word = text[start.._pos];
            switch (word)
            {
                case "true": return new JValue(true);
                case "false": return new JValue(false);
                case "null": return JValue.CreateNull();
                case "NaN" or "Infinity":
                    throw ErrorAt(start, $"{word} is not a JSON number (JSON has no NaN or Infinity)");
                case "undefined":
                    throw ErrorAt(start, "undefined is not a JSON value (JSON has null)");
            }
            if (word.ToLowerInvariant() is "true" or "false" or "null" || word == "None")
                throw ErrorAt(start, $"{word} is not a JSON value; the literals are true, false and null, in lowercase");
            throw ErrorAt(start, $"{Shorten(word)} is not a JSON value (an object, array, string, number, true, false or null)");
        }

        /// <summary>A number in RFC 8259's grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</summary>
        private JValue Number()
        {
            int start = _pos;
            if (At('-'))
            {
                _pos++;
                if (!AtDigit())
                {
                    if (string.CompareOrdinal(text, _pos, "Infinity", 0, 8) == 0)
                        throw ErrorAt(start, "-Infinity is not a JSON number (JSON has no NaN or Infinity)");
                    throw Error("a '-' must be followed by digits");
                }
            }
            if (At('0'))
            {
                _pos++;
                if (AtDigit()) throw ErrorAt(start, "a number with a leading zero is not JSON (nor are octal numbers)");
                if (At('x') || At('X')) throw ErrorAt(start, "a hexadecimal number is not JSON");
            }
            else
            {
                while (AtDigit()) _pos++;
            }
            bool integer = true;
            if (At('.'))
            {
                integer = false;
                _pos++;
                if (!AtDigit()) throw Error("a '.' in a number must be followed by digits");
                while (AtDigit()) _pos++;
            }
            if (At('e') || At('E'))
            {
                integer = false;
                _pos++;
                if (At('+') || At('-')) _pos++;
                if (!AtDigit()) throw Error("an exponent must have digits");
                while (AtDigit()) _pos++;
            }
            var literal = text.AsSpan(start, _pos - start);
            if (integer)
            {
                int digits = literal.Length - (literal[0] == '-' ? 1 : 0);
                if (digits > IntOps.MaxStrDigits)
                    throw ErrorAt(start, $"an integer of {digits:N0} digits; integers of up to {IntOps.MaxStrDigits:N0} digits are read (as in Python)");
                return long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small)
                    ? new JValue(small)
                    : new JValue(BigInteger.Parse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            }
            var number = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(number)) throw ErrorAt(start, $"{Shorten(literal.ToString())} is beyond the range of a double (about ±1.8e308)");
            return new JValue(number);
        }

        /// <summary>A string in double quotes (at _pos), with its escapes decoded; a raw control character or half a surrogate pair is refused.</summary>
        private string String()
        {
            _pos++;
            StringBuilder? decoded = null;
            int run = _pos;
            while (true)
            {
                if (_pos == text.Length) throw Error("the text ends inside a string; expected '\"'");
                char c = text[_pos];
                if (c == '"')
                {
                    var value = decoded == null ? text[run.._pos] : decoded.Append(text, run, _pos - run).ToString();
                    _pos++;
                    return value;
                }
                if (c == '\\')
                {
                    decoded ??= new StringBuilder();
                    decoded.Append(text, run, _pos - run);
                    Escape(decoded);
                    run = _pos;
                }
                else if (c < 0x20)
                {
                    throw Error($"a control character (U+{(int)c:X4}) in a string must be written as an escape (\\n, \\t, \\u{(int)c:X4})");
                }
                else if (char.IsSurrogate(c))
                {
                    if (!char.IsHighSurrogate(c) || _pos + 1 == text.Length || !char.IsLowSurrogate(text[_pos + 1]))
                        throw Error($"a lone surrogate (U+{(int)c:X4}) in a string is not text");
                    _pos += 2;
                }
                else
                {
                    _pos++;
                }
            }
        }

        /// <summary>Decodes the escape at _pos (a backslash) into [into]; a \u escape of a surrogate must be one of a pair.</summary>
        private void Escape(StringBuilder into)
        {
            int start = _pos;
            if (_pos + 1 == text.Length) throw Error("the text ends inside a string; expected an escape after '\\'");
            char kind = text[_pos + 1];
            _pos += 2;
            switch (kind)
            {
                case '"': into.Append('"'); return;
                case '\\': into.Append('\\'); return;
                case '/': into.Append('/'); return;
                case 'b': into.Append('\b'); return;
                case 'f': into.Append('\f'); return;
                case 'n': into.Append('\n'); return;
                case 'r': into.Append('\r'); return;
                case 't': into.Append('\t'); return;
                case 'u': break;
                default:
                    throw ErrorAt(start, $"{(kind < 0x20 || kind >= 0x7F ? $"\\ and U+{(int)kind:X4}" : "\\" + kind)} is not a JSON escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
            char unit = HexUnit(start);
            if (char.IsLowSurrogate(unit))
                throw ErrorAt(start, $"\\u{(int)unit:X4} is the second half of a surrogate pair without the first; a string must be Unicode text");
            if (char.IsHighSurrogate(unit))
            {
                int second = _pos;
                if (_pos + 1 >= text.Length || text[_pos] != '\\' || text[_pos + 1] != 'u')
                    throw ErrorAt(start, $"\\u{(int)unit:X4} is the first half of a surrogate pair, and no \\uDC00–\\uDFFF follows it; a string must be Unicode text");
                _pos += 2;
                char low = HexUnit(second);
                if (!char.IsLowSurrogate(low))
                    throw ErrorAt(start, $"\\u{(int)unit:X4} is the first half of a surrogate pair, and \\u{(int)low:X4} is not its second half; a string must be Unicode text");
                into.Append(unit).Append(low);
                return;
            }
            into.Append(unit);
        }

        /// <summary>The four hex digits of a \u escape that began at [start].</summary>
        private char HexUnit(int start)
        {
            if (_pos + 4 > text.Length || !int.TryParse(text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit))
                throw ErrorAt(start, "\\u must be followed by four hex digits");
            _pos += 4;
            return (char)unit;
        }

        private void SkipWhitespace()
        {
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (c is ' ' or '\t') _pos++;
                else if (c is '\n' or '\r')
                {
                    _pos += c == '\r' && _pos + 1 < text.Length && text[_pos + 1] == '\n' ? 2 : 1;
                    _line++;
                    _lineStart = _pos;
                }
                else break;
            }
        }

        private bool At(char c) => _pos < text.Length && text[_pos] == c;

        private bool AtDigit() => _pos < text.Length && char.IsAsciiDigit(text[_pos]);

        private InvalidJsonException Error(string reason) => ErrorAt(_pos, reason);

        /// <summary>A refusal at [pos] on the current line (no token spans lines: a string cannot hold a raw line break).</summary>
        private InvalidJsonException ErrorAt(int pos, string reason) => new(_line, pos - _lineStart + 1, reason);

        private static string Describe(char c) => c switch
        {
            '/' => "'/' (JSON has no comments)",
            '\'' => "a single quote (JSON strings are in double quotes)",
            > ' ' and < (char)0x7F => $"'{c}'",
            _ => $"U+{(int)c:X4}",
        };

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
    }
}
