using Newtonsoft.Json.Linq;
using Workflow.Runtime;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A function or closure that is not a module's own top-level def (which is a value, {"def":
/// name}): <c>{"kind": "function", "module": name?, "code": qualified name, "defaults": [v…]?,
/// "kwdefaults": {name: v…}?, "closure": [cell ref…]?}</c>, "module" left out for __main__. Made
/// with its code from the program, its module and its cells (one per free variable of the code);
/// its defaults are filled when every object exists.
/// </summary>
internal sealed class PickledFunction : PickledKind<PyFunction>
{
    public override string Key => "function";

    protected override void Write(Pickler w, PyFunction fn)
    {
        w.Property("kind", Key);
        if (fn.Module.Name != "__main__") w.Property("module", fn.Module.Name);
        w.Property("code", fn.Code.QualifiedName);
        if (fn.Defaults.Length > 0) w.Items("defaults", fn.Defaults);
        if (fn.KwDefaults is { Count: > 0 }) w.Names("kwdefaults", fn.KwDefaults);
        if (fn.Closure.Length > 0) w.Items("closure", fn.Closure);
    }

    public override object Create(Unpickler r, PObject e)
    {
        var code = r.CodeOf(e, "code");
        if (code.IsClassBody && code.QualifiedName == "<module>") throw Bad(e, "a module's code is not a function");
        var closure = e["closure"] is { } c ? Arr(c).Select(cell => r.ResolveRef(cell) as Cell ?? throw Bad(cell, "expected a cell")).ToArray() : Array.Empty<Cell>();
        if (closure.Length != code.FreeNames.Length) throw Bad(e, $"{code.QualifiedName} closes over {code.FreeNames.Length} variables, not {closure.Length}");
        var defaults = e["defaults"] is { } d ? new object[Arr(d).Count] : Array.Empty<object>();
        if (defaults.Length > code.PositionalCount) throw Bad(e, "more defaults than positional parameters");
        var kwDefaults = e["kwdefaults"] != null ? new Dictionary<string, object>() : null;
        return new PyFunction(code, r.ModuleOf(code, e), defaults, kwDefaults, closure);
    }

    protected override void Fill(Unpickler r, PyFunction fn, PObject e)
    {
        if (e["defaults"] is { } defaults) r.FillArray(fn.Defaults, Arr(defaults));
        if (e["kwdefaults"] is { } kwDefaults) r.FillNames(fn.KwDefaults!, kwDefaults);
    }

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => new JValue($"<function {entry["code"]}>");
}
