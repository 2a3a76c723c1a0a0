using System.Text;

namespace Workflow.Values.Text;

/// <summary>
/// str.format: literal text with {{ and }}, and replacement fields
/// {[name][.attr or [key]]*[!conversion][:spec]} whose spec may itself hold fields one level deep.
/// Field values are formatted with Ops.Format, so user types get their own __format__.
/// </summary>
internal static class StrFormat
{
    /// <summary>How fields without a name are numbered; mixing both styles is an error.</summary>
    private sealed class Numbering
    {
        public bool? Automatic;
        public int Next;
    }

    public static string Format(string format, object[] args, Dictionary<string, object>? kwargs) =>
        Build(format, args, kwargs, depth: 2, new Numbering(), null);

    /// <summary>
    /// The format's pieces, for the prelude's _str_format when a field's value has user
    /// __format__, __str__ or __repr__ methods (they run there as frames): literal strings, and for
    /// each field a tuple (value, conversion 0 none / 1 !s / 2 !r / 3 !a, expanded spec).
    /// </summary>
    public static PyList Pieces(string format, object[] args, Dictionary<string, object>? kwargs)
    {
        var pieces = new PyList();
        Build(format, args, kwargs, depth: 2, new Numbering(), pieces.Items);
        return pieces;
    }

    private static string Build(string fmt, object[] args, Dictionary<string, object>? kwargs, int depth, Numbering numbering, List<object>? pieces)
    {
        if (depth <= 0) throw Errors.ValueError("Max string recursion exceeded");
        var sb = new StringBuilder(fmt.Length + 16);
        int pos = 0, end = fmt.Length;
        while (pos < end)
        {
            // Literal text up to the next brace.
            int start = pos;
            char c = '\0';
            bool markup = false;
            while (pos < end)
            {
                c = fmt[pos++];
                if (c == '{' || c == '}')
                {
                    markup = true;
                    break;
                }
            }
            bool atEnd = pos >= end;
            int literalLength = pos - start;
            if (markup && c == '}' && (atEnd || fmt[pos] != '}'))
                throw Errors.ValueError("Single '}' encountered in format string");
            if (markup && c == '{' && atEnd)
                throw Errors.ValueError("Single '{' encountered in format string");
            if (markup)
            {
                if (fmt[pos] == c)
                {
                    // A doubled brace is literal text; keep one of the two.
                    pos++;
                    markup = false;
                }
                else literalLength--;
            }
            sb.Append(fmt, start, literalLength);
            if (!markup) continue;

            var field = ParseField(fmt, ref pos);
            object value = FieldValue(field.Name, args, kwargs, numbering);
            if (pieces != null)
            {
                if (field.Conversion is not ('\0' or 'r' or 's' or 'a')) throw Errors.ValueError(UnknownConversion(field.Conversion));
                string pieceSpec = field.SpecNeedsExpanding ? Build(field.Spec, args, kwargs, depth - 1, numbering, null) : field.Spec;
                if (sb.Length > 0) pieces.Add(sb.ToString());
                sb.Clear();
                pieces.Add(PyTuple.Of(value, Boxes.Int(field.Conversion switch { 's' => 1, 'r' => 2, 'a' => 3, _ => 0 }), pieceSpec));
                continue;
            }
            value = field.Conversion switch
            {
                '\0' => value,
                'r' => Ops.Repr(value),
                's' => Ops.Str(value),
                'a' => StrRepr.EscapeNonAscii(Ops.Repr(value)),
                _ => throw Errors.ValueError(UnknownConversion(field.Conversion)),
            };
            string spec = field.SpecNeedsExpanding ? Build(field.Spec, args, kwargs, depth - 1, numbering, null) : field.Spec;
            string text = Ops.Format(value, spec);
            // A short format string can repeat one long argument many times ("{0}{0}{0}…").
            ValueSize.EnsureChars((long)sb.Length + text.Length);
            sb.Append(text);
        }
        if (pieces != null && sb.Length > 0) pieces.Add(sb.ToString());
        return sb.ToString();
    }

    private static string UnknownConversion(char conversion) => conversion > 32 && conversion < 127
        ? $"Unknown conversion specifier {conversion}"
        : $"Unknown conversion specifier \\x{(int)conversion:x}";

    private readonly record struct Field(string Name, char Conversion, string Spec, bool SpecNeedsExpanding);

    /// <summary>Parses a replacement field whose '{' was just consumed, leaving [pos] after its '}'.</summary>
    private static Field ParseField(string fmt, ref int pos)
    {
        int end = fmt.Length;
        int nameStart = pos;
        char c = '\0';
        while (pos < end)
        {
            c = fmt[pos++];
            if (c == '{') throw Errors.ValueError("unexpected '{' in field name");
            if (c == '[')
            {
                // Anything goes inside brackets, including ':' and '!'.
                while (pos < end && fmt[pos] != ']') pos++;
                continue;
            }
            if (c == '}' || c == ':' || c == '!') break;
        }
        if (c != '}' && c != ':' && c != '!') throw Errors.ValueError("expected '}' before end of string");
        string name = fmt.Substring(nameStart, pos - 1 - nameStart);
        if (c == '}') return new Field(name, '\0', "", false);

        char conversion = '\0';
        if (c == '!')
        {
            if (pos >= end) throw Errors.ValueError("end of string while looking for conversion specifier");
            conversion = fmt[pos++];
            if (pos < end)
            {
                c = fmt[pos++];
                if (c == '}') return new Field(name, conversion, "", false);
                if (c != ':') throw Errors.ValueError("expected ':' after conversion specifier");
            }
        }
        int specStart = pos;
        int depth = 1;
        bool nested = false;
        while (pos < end)
        {
            c = fmt[pos++];
            if (c == '{')
            {
                nested = true;
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return new Field(name, conversion, fmt.Substring(specStart, pos - 1 - specStart), nested);
            }
        }
        throw Errors.ValueError("unmatched '{' in format spec");
    }

    /// <summary>Looks up the argument a field names, then follows its .attr and [key] parts.</summary>
    private static object FieldValue(string name, object[] args, Dictionary<string, object>? kwargs, Numbering numbering)
    {
        int i = 0;
        while (i < name.Length && name[i] != '.' && name[i] != '[') i++;
        string first = name.Substring(0, i);
        long index = ParseIndex(first);
        bool empty = first.Length == 0;
        if (empty || index >= 0)
        {
            numbering.Automatic ??= empty;
            if (numbering.Automatic == false && empty)
                throw Errors.ValueError("cannot switch from manual field specification to automatic field numbering");
            if (numbering.Automatic == true && !empty)
                throw Errors.ValueError("cannot switch from automatic field numbering to manual field specification");
            if (empty) index = numbering.Next++;
        }

        object value;
        if (index < 0)
        {
            if (kwargs == null || !kwargs.TryGetValue(first, out value!)) throw Errors.KeyError(first);
        }
        else
        {
            if (index >= args.Length)
                throw Errors.IndexError($"Replacement index {index} out of range for positional args tuple");
            value = args[index];
        }

        while (i < name.Length)
        {
            char c = name[i++];
            if (c == '.')
            {
                int start = i;
                while (i < name.Length && name[i] != '.' && name[i] != '[') i++;
                if (i == start) throw Errors.ValueError("Empty attribute in format string");
                value = GetAttribute(value, name.Substring(start, i - start));
            }
            else if (c == '[')
            {
                int start = i;
                while (i < name.Length && name[i] != ']') i++;
                if (i == name.Length) throw Errors.ValueError("Missing ']' in format string");
                string key = name.Substring(start, i - start);
                i++;
                if (key.Length == 0) throw Errors.ValueError("Empty attribute in format string");
                long keyIndex = ParseIndex(key);
                value = GetItem(value, keyIndex >= 0 ? Boxes.Int(keyIndex) : key);
            }
            else
            {
                throw Errors.ValueError("Only '.' or '[' may follow ']' in format field specifier");
            }
        }
        return value;
    }

    /// <summary>The value of an all-digits field name or key (any script's digits), or -1.</summary>
    private static long ParseIndex(string text)
    {
        if (text.Length == 0) return -1;
        long acc = 0;
        for (int i = 0, len; i < text.Length; i += len)
        {
            int d = CharInfo.DecimalValue(CharInfo.CodePointAt(text, i, out len));
            if (d < 0) return -1;
            if (acc > (long.MaxValue - d) / 10) throw Errors.ValueError("Too many decimal digits in format string");
            acc = acc * 10 + d;
        }
        return acc;
    }

    /// <summary>`.attr` in a field: ordinary attribute lookup, with its AttributeError (CPython's getattr).</summary>
    private static object GetAttribute(object value, string attribute) => Ops.GetAttr(value, attribute);

    /// <summary>`[key]` in a field: ordinary subscription, so lists, dicts, ranges and __getitem__ answer with their own errors.</summary>
    private static object GetItem(object value, object key) => Ops.GetItem(value, key);
}
