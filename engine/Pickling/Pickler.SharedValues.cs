using System.Numerics;
using System.Text;

namespace Workflow.Pickling;

/// <summary>
/// Strings, floats and big ints are written inline, where they are used. One held by two places is
/// still one object to the script (`x is y`, and the identity shortcut of `==` on containers:
/// `[nan] == [nan]` holding the same NaN is True), so it must come back as one object, and equal
/// ones made separately must come back separate.
/// <para>
/// Strings: inline strings of equal value are one object (the unpickler makes one per value). That
/// suits what workflows hold: dict keys and statuses are mostly the program's constants or the keys
/// of one `json.loads`, many places holding one object. A string equal to one already written but
/// not the same object gets a heap entry of its own (`{"shared": "text"}`) that its places refer to.
/// </para>
/// <para>
/// Floats and big ints are mostly computed, so equal ones are mostly separate objects: each is
/// written inline, and only one met a second time becomes a heap entry (`{"shared": {"float": …}}`).
/// The writer cannot know at its first occurrence that a second will come, so it notes where each
/// one's text went and, once the whole pickle is written, puts `{"ref": i}` there too.
/// </para>
/// </summary>
internal sealed partial class Pickler
{
    /// <summary>The text the JSON writer writes into (its position marks where a value's text is).</summary>
    private readonly StringBuilder _text;

    /// <summary>Each float and big int written inline so far, by identity: where its first occurrence's text is, until it turns out shared.</summary>
    private readonly Dictionary<object, (int Start, int End)> _inline = new(ReferenceEqualityComparer.Instance);

    /// <summary>First occurrences to replace by a reference, once the writing is done: their text's place, and the heap entry.</summary>
    private readonly List<(int Start, int End, int Heap)> _firstOccurrences = new();

    /// <summary>The string object written inline for each value so far: the unpickler makes one object per inline value.</summary>
    private readonly Dictionary<string, string> _inlineStrings = new(StringComparer.Ordinal);

    private void WriteImmutable(object v)
    {
        if (_ids.TryGetValue(v, out var id))
        {
            WriteRef(id);
            return;
        }
        if (v is string s)
        {
            if (!_inlineStrings.TryGetValue(s, out var inline))
            {
                _inlineStrings[s] = s;
                _w.WriteValue(s);
            }
            else if (ReferenceEquals(inline, s))
            {
                _w.WriteValue(s);
            }
            else
            {
                // Equal to a string written inline, but another object: a heap entry of its own.
                id = _heap.Count;
                _ids[s] = id;
                _heap.Add(s);
                WriteRef(id);
            }
            return;
        }
        if (_inline.Remove(v, out var first))
        {
            // The second place that holds it: from now on it is a heap entry.
            id = _heap.Count;
            _ids[v] = id;
            _heap.Add(v);
            _firstOccurrences.Add((first.Start, first.End, id));
            WriteRef(id);
            return;
        }
        int start = _text.Length;
        WriteInline(v);
        // The JSON writer puts the comma that separates this value from the one before in front of it.
        if (start < _text.Length && _text[start] == ',') start++;
        _inline[v] = (start, _text.Length);
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
                _w.WriteValue(s);
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

    /// <summary>The heap entry of a float or big int held by several places, or of a string equal to, but not, one written inline.</summary>
    private void WriteSharedEntry(object v)
    {
        _w.WritePropertyName("shared", false);
        WriteInline(v);
    }

    /// <summary>Puts `{"ref": i}` where each shared float's or big int's first occurrence was written inline.</summary>
    private void ReferToSharedFirstOccurrences()
    {
        if (_firstOccurrences.Count == 0) return;
        _firstOccurrences.Sort((a, b) => a.Start.CompareTo(b.Start));
        var whole = _text.ToString();
        _text.Clear();
        int copied = 0;
        foreach (var (start, end, heap) in _firstOccurrences)
        {
            _text.Append(whole, copied, start - copied);
            _text.Append("{\"ref\":").Append(heap).Append('}');
            copied = end;
        }
        _text.Append(whole, copied, whole.Length - copied);
    }
}
