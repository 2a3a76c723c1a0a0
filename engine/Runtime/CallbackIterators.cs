using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>enumerate(iterable, start): pairs of a counter and the inner iterator's values.</summary>
internal sealed class EnumerateIterator : PyIterator
{
    public readonly object Inner;
    public object Count;

    public EnumerateIterator(object inner, object start)
    {
        Inner = inner;
        Count = start;
    }

    public override string TypeName => "enumerate";

    public override bool MoveNext(out object value)
    {
        if (!Interpreter.Current.Next(Inner, out var item))
        {
            value = null!;
            return false;
        }
        value = PyTuple.Of(Count, item);
        Count = Count is long l && l < long.MaxValue ? Boxes.Int(l + 1) : Ops.Binary(Syntax.BinaryOperator.Add, Count, 1L, false);
        return true;
    }
}

/// <summary>zip(*iterables): tuples of one value from each, stopping at the shortest (or raising with strict=True).</summary>
internal sealed class ZipIterator : PyIterator
{
    public readonly object[] Inner;
    public readonly bool Strict;
    public bool Done;

    public ZipIterator(object[] inner, bool strict)
    {
        Inner = inner;
        Strict = strict;
    }

    public override string TypeName => "zip";

    public override bool MoveNext(out object value)
    {
        value = null!;
        if (Done || Inner.Length == 0) return false;
        var items = new object[Inner.Length];
        for (int i = 0; i < Inner.Length; i++)
        {
            if (Interpreter.Current.Next(Inner[i], out var item))
            {
                items[i] = item;
                continue;
            }
            Done = true;
            if (Strict)
            {
                if (i > 0) throw Errors.ValueError($"zip() argument {i + 1} is shorter than argument{(i == 1 ? "" : "s")} 1{(i == 1 ? "" : "-" + i)}");
                for (int j = 1; j < Inner.Length; j++)
                    if (Interpreter.Current.Next(Inner[j], out _))
                        throw Errors.ValueError($"zip() argument {j + 1} is longer than argument{(j == 1 ? "" : "s")} 1{(j == 1 ? "" : "-" + j)}");
            }
            return false;
        }
        value = new PyTuple(items);
        return true;
    }
}

/// <summary>
/// map(function, *iterables) as engines before the prelude's _map made every map: only rebuilt from
/// their pickles now. The function runs in a nested loop, so it may not block.
/// </summary>
internal sealed class MapIterator : PyIterator
{
    public readonly object Function;
    public readonly object[] Inner;

    public MapIterator(object function, object[] inner)
    {
        Function = function;
        Inner = inner;
    }

    public override string TypeName => "map";

    public override bool MoveNext(out object value)
    {
        value = null!;
        var args = new object[Inner.Length];
        for (int i = 0; i < Inner.Length; i++)
            if (!Interpreter.Current.Next(Inner[i], out args[i])) return false;
        try
        {
            value = Interpreter.Current.CallNested(Function, args, null, "map()");
        }
        catch (ScriptError e) when (e.Exception.Class.IsSubclassOf(ExceptionTypes.StopIteration))
        {
            // As in CPython, a StopIteration from the function ends the map.
            value = null!;
            return false;
        }
        return true;
    }
}

/// <summary>filter(function or None, iterable) as engines before the prelude's _filter made every filter: only rebuilt from their pickles now.</summary>
internal sealed class FilterIterator : PyIterator
{
    public readonly object Function;
    public readonly object Inner;

    public FilterIterator(object function, object inner)
    {
        Function = function;
        Inner = inner;
    }

    public override string TypeName => "filter";

    public override bool MoveNext(out object value)
    {
        while (Interpreter.Current.Next(Inner, out value))
        {
            var keep = Function is PyNone ? value : Interpreter.Current.CallNested(Function, new[] { value }, null, "filter()");
            if (Ops.Truthy(keep)) return true;
        }
        return false;
    }
}
