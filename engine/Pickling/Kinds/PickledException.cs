using Newtonsoft.Json.Linq;
using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// An exception: <c>{"kind": "exception", "class": v, "args": [v…], "attrs": {name: v…}?,
/// "traceback": [[file, line, function]…]?, "context": v?, "cause": v?, "suppressContext": true?}</c>.
/// Made as a bare Exception, given its class and the rest when every object exists; its class
/// must derive from BaseException.
/// </summary>
internal sealed class PickledException : PickledKind<PyException>
{
    public override string Key => "exception";

    protected override void Write(Pickler w, PyException e)
    {
        w.Property("kind", Key);
        w.Value("class", e.Class);
        w.Items("args", e.Args.Items);
        if (e.Attributes.Count > 0) w.Names("attrs", e.Attributes);
        if (e.Traceback.Count > 0)
        {
            var json = w.Writer;
            json.WritePropertyName("traceback", false);
            json.WriteStartArray();
            foreach (var entry in e.Traceback)
            {
                json.WriteStartArray();
                json.WriteValue(entry.File);
                json.WriteValue(entry.Line);
                json.WriteValue(entry.Function);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        w.OptionalValue("context", e.Context);
        w.OptionalValue("cause", e.Cause);
        if (e.SuppressContext) w.Property("suppressContext", true);
    }

    public override object Create(Unpickler r, PObject e) => new PyException(ExceptionTypes.Exception, PyTuple.Empty);

    protected override void Fill(Unpickler r, PyException ex, PObject e)
    {
        var cls = r.Value(Required(e, "class")) as PyClass;
        if (cls is not { IsException: true }) throw Bad(e["class"]!, "an exception's class must derive from BaseException");
        ex.Class = cls;
        ex.Args = new PyTuple(Arr(Required(e, "args")).Select(r.Value).ToArray());
        if (e["attrs"] is { } attrs) r.FillNames(ex.Attributes, attrs);
        if (e["traceback"] is { } traceback)
        {
            foreach (var line in Arr(traceback))
            {
                var parts = Arr(line);
                if (parts.Count != 3) throw Bad(line, "a traceback line is [file, line, function]");
                ex.Traceback.Add(new TracebackEntry(Str(parts[0]), Int(parts[1], 0, int.MaxValue), Str(parts[2])));
            }
        }
        if (e["context"] is { } context) ex.Context = r.Exception(context);
        if (e["cause"] is { } cause) ex.Cause = r.Exception(cause);
        ex.SuppressContext = OptionalBool(e, "suppressContext");
    }

    public override bool ShowsContents => true;

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => PickledInstance.ShowAttributes(r, entry, depth, path);
}
