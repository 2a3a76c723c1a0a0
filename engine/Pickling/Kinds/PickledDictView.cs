using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A dict's keys(), values() or items(): <c>{"kind": "dict_view", "dict": v, "view":
/// "keys"|"values"|"items"}</c>, made with its dict.
/// </summary>
internal sealed class PickledDictView : PickledKind<DictView>
{
    public override string Key => "dict_view";

    protected override void Write(Pickler w, DictView view)
    {
        w.Property("kind", Key);
        w.Value("dict", view.Dict);
        w.Property("view", ViewName(view.Kind));
    }

    public override object Create(Unpickler r, PObject e) => new DictView(DictOf(r, e), View(e));

    /// <summary>How a view's or a dict iterator's "view" names what it shows.</summary>
    internal static string ViewName(DictViewKind kind) => kind switch
    {
        DictViewKind.Keys => "keys",
        DictViewKind.Values => "values",
        _ => "items",
    };

    internal static DictViewKind View(PObject e) => Str(Required(e, "view")) switch
    {
        "keys" => DictViewKind.Keys,
        "values" => DictViewKind.Values,
        "items" => DictViewKind.Items,
        var other => throw Bad(e["view"]!, $"unknown dict view '{other}'"),
    };

    internal static PyDict DictOf(Unpickler r, PObject e) => r.Value(Required(e, "dict")) as PyDict ?? throw Bad(e["dict"]!, "expected a dict");
}
