using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Workflow.Pickling;

/// <summary>
/// Strings, floats and big ints are written inline, where they are used. One held by two places is
/// still one object to the script (`x is y`, and the identity shortcut of `==` on containers:
/// `[nan] == [nan]` holding the same NaN is True), so it must come back as one object, and equal
/// ones made separately must come back separate. The writer notes where each one's text went, and
/// once the whole pickle is written decides how to say which places hold the same object, as
/// cheaply as it can, then puts `{"ref": i}` where that takes a reference.
/// <para>
/// Strings: by default, inline strings of equal value are one object: the program's constant of that
/// value when there is one (constants are interned, see CodeUnit.Constant), else one the unpickler
/// makes. That suits what workflows mostly hold: dict keys and statuses that are the program's
/// constants or the keys of one JSON document, many places holding one object. A value for which
/// the opposite is cheaper (`f"AC-{n % 17}"` made a hundred times: equal strings, each held once)
/// is listed under the envelope's "separateStrings": its inline occurrences are each an object of
/// their own. Either way, the objects the rule does not cover get heap entries
/// (`{"shared": "text"}`) that their places refer to.
/// </para>
/// <para>
/// Floats and big ints are mostly computed, so equal ones are mostly separate objects: each inline
/// occurrence is an object of its own, and one held by several places becomes a heap entry
/// (`{"shared": {"float": "nan"}}`).
/// </para>
/// </summary>
internal sealed partial class Pickler
{
    /// <summary>The text the JSON writer writes into (its position marks where a value's text is).</summary>
    private readonly StringBuilder _text;

    /// <summary>Where a value's text is in the output, and which object wrote it.</summary>
    private readonly record struct Occurrence(object Value, int Start, int End);

    /// <summary>Every inline occurrence: strings by value, floats and big ints by identity. Most values occur once.</summary>
    private struct Occurrences
    {
        public Occurrence First;
        public List<Occurrence>? More;
    }

    private readonly Dictionary<string, Occurrences> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<object, Occurrences> _numbers = new(ReferenceEqualityComparer.Instance);

    private void WriteImmutable(object v)
    {
        int start = _text.Length;
        WriteInline(v);
        // The JSON writer puts the comma that separates this value from the one before in front of it.
        if (start < _text.Length && _text[start] == ',') start++;
        var occurrence = new Occurrence(v, start, _text.Length);
        ref var seen = ref v is string s
            ? ref CollectionsMarshal.GetValueRefOrAddDefault(_strings, s, out var exists)
            : ref CollectionsMarshal.GetValueRefOrAddDefault(_numbers, v, out exists);
        if (!exists) seen.First = occurrence;
        else (seen.More ??= new List<Occurrence>()).Add(occurrence);
    }

    private void WriteRef(int id)
    {
        _w.WriteStartObject();
        _w.WritePropertyName("ref", false);
        _w.WriteValue(id);
        _w.WriteEndObject();
    }

    /// <summary>A string as a JSON string; a float as its repr, tagged; a big int as its digits, tagged.</summary>
    private void WriteInline(object v)
    {
        switch (v)
        {
            case string s:
                WriteStr(s);
                return;
            case double d:
                // The float's repr as tagged text: it round-trips exactly, which neither Json.NET's number
                // parser nor .NET's "R" format always does (2**-25 prints as 2.980232238769531E-08).
                Tagged("float", Values.Numbers.NumberText.FloatRepr(d));
                return;
            case BigInteger big:
                Tagged("int", big.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            default:
                throw new PickleException("", $"a {v.GetType().Name} is not written inline: this is a bug in the engine");
        }
    }

    /// <summary>
    /// Called once the instance is written (the text ends with the heap's `]` and the envelope's `}`):
    /// adds the heap entries of the objects the inline rules do not cover, refers to them from their
    /// places, and lists the strings whose inline occurrences are separate objects.
    /// </summary>
    private void ReferToSharedValues()
    {
        var entries = new List<(int Start, int End)>();   // each new entry's value text, in the written text
        var replaced = new List<(int Start, int End, int Heap)>();
        var separate = new List<string>();
        void MakeEntry(List<Occurrence> group)
        {
            int heap = _heap.Count + entries.Count;
            entries.Add((group[0].Start, group[0].End));
            foreach (var o in group) replaced.Add((o.Start, o.End, heap));
        }

        foreach (var (_, seen) in _numbers)
            if (seen.More != null) MakeEntry([seen.First, .. seen.More]);
        foreach (var (value, seen) in _strings)
        {
            // An interned string (a program's constant, or a built-in's literal) is the object the
            // unpickler finds for inline text of that value: only that object may be left inline.
            var constant = string.IsInterned(value);
            if (constant == null && (seen.More == null || seen.More.TrueForAll(o => ReferenceEquals(o.Value, seen.First.Value)))) continue;
            if (constant != null && ReferenceEquals(seen.First.Value, constant) && (seen.More == null || seen.More.TrueForAll(o => ReferenceEquals(o.Value, constant)))) continue;
            var groups = (seen.More ?? []).Prepend(seen.First).GroupBy(o => o.Value, ReferenceEqualityComparer.Instance).Select(g => g.ToList()).ToList();
            // The cost in characters of giving a group an entry, over leaving it inline.
            int length = seen.First.End - seen.First.Start;
            int Cost(List<Occurrence> group) => length + 12 + group.Count * (10 - length);
            var largest = constant != null
                ? groups.FirstOrDefault(g => ReferenceEquals(g[0].Value, constant))
                : groups.MaxBy(g => g.Count)!;
            var interned = largest == null ? int.MaxValue : groups.Where(g => g != largest).Sum(Cost);
            var separated = length + 1 + groups.Where(g => g.Count > 1).Sum(Cost);
            if (interned <= separated)
            {
                foreach (var group in groups)
                    if (group != largest) MakeEntry(group);
            }
            else
            {
                separate.Add(value);
                foreach (var group in groups)
                    if (group.Count > 1) MakeEntry(group);
            }
        }
        if (entries.Count == 0 && separate.Count == 0) return;

        var whole = _text.ToString();
        if (!whole.EndsWith("]}", StringComparison.Ordinal)) throw new PickleException("", "the pickle does not end with its heap: this is a bug in the engine");
        _text.Clear();
        replaced.Sort((a, b) => a.Start.CompareTo(b.Start));
        int copied = 0;
        int body = whole.Length - 2; // before the heap's `]` and the envelope's `}`
        foreach (var (start, end, heap) in replaced)
        {
            _text.Append(whole, copied, start - copied);
            _text.Append("{\"ref\":").Append(heap).Append('}');
            copied = end;
        }
        _text.Append(whole, copied, body - copied);
        for (int i = 0; i < entries.Count; i++)
        {
            if (_heap.Count + i > 0) _text.Append(',');
            _text.Append("{\"shared\":").Append(whole, entries[i].Start, entries[i].End - entries[i].Start).Append('}');
        }
        _text.Append(']');
        if (separate.Count > 0)
        {
            using var writer = new StringWriter(_text, System.Globalization.CultureInfo.InvariantCulture);
            using var json = new Newtonsoft.Json.JsonTextWriter(writer);
            _text.Append(",\"separateStrings\":");
            json.WriteStartArray();
            foreach (var s in separate)
            {
                if (Values.Text.CodePoints.HasLoneSurrogate(s))
                {
                    json.WriteStartObject();
                    json.WritePropertyName(PickledText.Tag);
                    json.WriteValue(PickledText.ToHex(s));
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteValue(s);
                }
            }
            json.WriteEndArray();
        }
        _text.Append('}');
    }
}
