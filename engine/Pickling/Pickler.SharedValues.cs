using System.Numerics;
using System.Text;

namespace Workflow.Pickling;

/// <summary>
/// Strings, floats and big ints are written inline, where they are used: most are held by one
/// place. One held by two places is still one object to the script (`x is y`, and the identity
/// shortcut of `==` on containers: `[nan] == [nan]` holding the same NaN is True), so it must come
/// back as one object. The writer cannot know at a value's first occurrence whether a second will
/// come, so it notes where each one's text went; at the second it makes the value a heap entry
/// (`{"shared": v}`, compact like lists), writes `{"ref": i}` there and, once the whole pickle is
/// written, puts `{"ref": i}` in place of the first occurrence's text too. Only values met twice
/// pay for this; the rest cost one table entry while writing.
/// </summary>
internal sealed partial class Pickler
{
    /// <summary>The text the JSON writer writes into (its position marks where a value's text is).</summary>
    private readonly StringBuilder _text;

    /// <summary>Each immutable written inline so far, by identity: where its first occurrence's text is, until it turns out shared.</summary>
    private readonly Dictionary<object, (int Start, int End)> _inline = new(ReferenceEqualityComparer.Instance);

    /// <summary>First occurrences to replace by a reference, once the writing is done: their text's place, and the heap entry.</summary>
    private readonly List<(int Start, int End, int Heap)> _firstOccurrences = new();

    private void WriteImmutable(object v)
    {
        if (_ids.TryGetValue(v, out var id))
        {
            WriteRef(id);
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

    /// <summary>The heap entry of an immutable held by several places.</summary>
    private void WriteSharedEntry(object v)
    {
        _w.WritePropertyName("shared", false);
        WriteInline(v);
    }

    /// <summary>Puts `{"ref": i}` where each shared value's first occurrence was written inline.</summary>
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
