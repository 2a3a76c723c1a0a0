namespace Workflow.Values;

/// <summary>
/// An iterator implemented in C#. Each keeps its position in plain fields so that the pickler can
/// save it mid-iteration. Iterators that must call script code (map, filter, enumerate over a
/// generator) do so through the interpreter's Next, never by holding a C# enumerator.
/// </summary>
internal abstract class PyIterator
{
    /// <summary>Advances; false when exhausted (and forever after).</summary>
    public abstract bool MoveNext(out object value);
    public abstract string TypeName { get; }
}

internal sealed class ListIterator : PyIterator
{
    public readonly PyList List;
    public int Index;
    public ListIterator(PyList list) => List = list;
    public override string TypeName => "list_iterator";
    public override bool MoveNext(out object value)
    {
        if (Index < List.Items.Count)
        {
            value = List.Items[Index++];
            return true;
        }
        Index = int.MaxValue;
        value = null!;
        return false;
    }
}

internal sealed class ListReverseIterator : PyIterator
{
    public readonly PyList List;
    public int Index;
    public ListReverseIterator(PyList list)
    {
        List = list;
        Index = list.Count - 1;
    }
    public override string TypeName => "list_reverseiterator";
    public override bool MoveNext(out object value)
    {
        if (Index >= 0 && Index < List.Items.Count)
        {
            value = List.Items[Index--];
            return true;
        }
        Index = -1;
        value = null!;
        return false;
    }
}

internal sealed class TupleIterator : PyIterator
{
    public readonly object[] Items;
    public int Index;
    public readonly bool Reversed;
    /// <summary>The name of the reversed iterator this one stands for when it is not 'reversed': reversed(dict) gives a 'dict_reversekeyiterator'.</summary>
    public readonly string? ReverseTypeName;
    public TupleIterator(object[] items, bool reversed = false, string? reverseTypeName = null)
    {
        Items = items;
        Reversed = reversed;
        ReverseTypeName = reverseTypeName;
        Index = reversed ? items.Length - 1 : 0;
    }
    public override string TypeName => Reversed ? ReverseTypeName ?? "reversed" : "tuple_iterator";
    public override bool MoveNext(out object value)
    {
        if (Index >= 0 && Index < Items.Length)
        {
            value = Items[Reversed ? Index-- : Index++];
            return true;
        }
        Index = Reversed ? -1 : Items.Length;
        value = null!;
        return false;
    }
}

/// <summary>
/// Iterates a str by code point (Text.CodePoints): a surrogate pair is one item. [Index] is a
/// char position, always on a code-point boundary, which is what a pickle stores.
/// </summary>
internal sealed class StrIterator : PyIterator
{
    public readonly string Text;
    public int Index;
    public StrIterator(string text) => Text = text;
    public override string TypeName => System.Text.Ascii.IsValid(Text) ? "str_ascii_iterator" : "str_iterator";
    public override bool MoveNext(out object value)
    {
        if (Index < Text.Length)
        {
            int units = Values.Text.CodePoints.UnitsAt(Text, Index);
            value = units == 1 ? Text[Index].ToString() : Text.Substring(Index, 2);
            Index += units;
            return true;
        }
        value = null!;
        return false;
    }
}

internal sealed class RangeIterator : PyIterator
{
    public readonly PyRange Range;
    public long Index;
    public readonly bool Reversed;
    public RangeIterator(PyRange range, bool reversed = false)
    {
        Range = range;
        Reversed = reversed;
    }
    /// <summary>CPython names the iterator of a range past 64 bits apart.</summary>
    public override string TypeName => Range.IsSmall ? "range_iterator" : "longrange_iterator";
    public override bool MoveNext(out object value)
    {
        if (Range.IsSmall)
        {
            var length = Range.SmallLength;
            if (Index < length)
            {
                value = Boxes.Int(Range.SmallItem(Reversed ? length - 1 - Index : Index));
                Index++;
                return true;
            }
        }
        else if (Index < Range.BigLength)
        {
            value = Range.Item(Reversed ? Range.BigLength - 1 - Index : Index);
            Index++;
            return true;
        }
        value = null!;
        return false;
    }
}

internal enum DictViewKind : byte { Keys, Values, Items }

/// <summary>Iterates a dict's keys, values or items; raises if the dict changes size meanwhile, as CPython does.</summary>
internal sealed class DictIterator : PyIterator
{
    public readonly PyDict Dict;
    public readonly DictViewKind Kind;
    public int Position;
    public int Version { get; private set; }
    public int Count { get; private set; }

    public DictIterator(PyDict dict, DictViewKind kind)
    {
        Dict = dict;
        Kind = kind;
        Version = dict.Version;
        Count = dict.Count;
    }

    /// <summary>Puts back the state of a pickled iterator once its dict has been rebuilt.</summary>
    public void Restore(int position, int version, int count)
    {
        Position = position;
        Version = version;
        Count = count;
    }

    public override string TypeName => Kind switch
    {
        DictViewKind.Keys => "dict_keyiterator",
        DictViewKind.Values => "dict_valueiterator",
        _ => "dict_itemiterator",
    };

    public override bool MoveNext(out object value)
    {
        if (Dict.Count != Count) throw Errors.RuntimeError("dictionary changed size during iteration");
        if (Dict.Version != Version) throw Errors.RuntimeError("dictionary keys changed during iteration");
        if (!Dict.TryGetEntryAt(ref Position, out var k, out var v))
        {
            value = null!;
            return false;
        }
        value = Kind switch
        {
            DictViewKind.Keys => k,
            DictViewKind.Values => v,
            _ => PyTuple.Of(k, v),
        };
        return true;
    }
}

/// <summary>A dict view (d.keys(), d.values(), d.items()): live, iterable, sized.</summary>
internal sealed class DictView
{
    public readonly PyDict Dict;
    public readonly DictViewKind Kind;
    public DictView(PyDict dict, DictViewKind kind)
    {
        Dict = dict;
        Kind = kind;
    }
    public string TypeName => Kind switch
    {
        DictViewKind.Keys => "dict_keys",
        DictViewKind.Values => "dict_values",
        _ => "dict_items",
    };
}
