using Newtonsoft.Json.Linq;
using Workflow.Compiler;
using Workflow.Runtime;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A generator: <c>{"kind": "generator", "started": true?, "running": true?, "unshared": true?,
/// "frame": frame, "handled": v?, "callerHandled": v?}</c>, its frame written as a tasklet's are;
/// a finished one keeps only its function's name, for repr(): <c>"finished": true, "module":
/// name?, "function": qualified name</c> instead of the frame. A running generator's frame is on a
/// tasklet's chain, which names it <c>{"generator": v}</c>. Made with its frame (code, module,
/// cells); the frame's variables are filled when every object exists, and a suspended
/// generator must be at its entry (not started) or at a yield.
/// </summary>
internal sealed class PickledGenerator : PickledKind<PyGenerator>
{
    public override string Key => "generator";

    protected override void Write(Pickler w, PyGenerator g)
    {
        w.Property("kind", Key);
        if (g.Started) w.Property("started", true);
        if (g.Running) w.Property("running", true);
        if (g.Unshared) w.Property("unshared", true);
        if (g.Finished)
        {
            w.Property("finished", true);
            if (g.Frame.Code.ModuleName != "__main__") w.Property("module", g.Frame.Code.ModuleName);
            w.Property("function", g.Frame.Code.QualifiedName);
        }
        else
        {
            w.Writer.WritePropertyName("frame", false);
            w.WriteFrame(g.Frame);
        }
        w.OptionalValue("handled", g.HandledException);
        w.OptionalValue("callerHandled", g.CallerHandledException);
    }

    public override object Create(Unpickler r, PObject e)
    {
        Frame frame;
        if (e["frame"] is { } frameToken)
        {
            frame = r.CreateFrame(Obj(frameToken));
        }
        else
        {
            // A finished generator keeps only its function's name, for repr().
            var code = r.CodeOf(e, "function");
            frame = new Frame(code, r.ModuleOf(code, e), null);
        }
        if (!frame.Code.IsGenerator) throw Bad(e, $"{frame.Code.QualifiedName} is not a generator function");
        var g = new PyGenerator(frame);
        frame.Generator = g;
        return g;
    }

    protected override void Fill(Unpickler r, PyGenerator g, PObject e)
    {
        g.Started = OptionalBool(e, "started");
        g.Running = OptionalBool(e, "running");
        g.Unshared = OptionalBool(e, "unshared");
        g.Finished = OptionalBool(e, "finished");
        if (e["handled"] is { } handled) g.HandledException = r.Exception(handled);
        if (e["callerHandled"] is { } callerHandled) g.CallerHandledException = r.Exception(callerHandled);
        if (g.Finished)
        {
            if (e["frame"] != null || g.Running) throw Bad(e, "a finished generator has no frame and is not running");
            return;
        }
        var frameToken = Obj(e["frame"] ?? throw Bad(e, "a generator that has not finished needs its frame"));
        r.FillFrame(g.Frame, frameToken);
        if (!g.Running)
        {
            // Suspended: not started (at its entry), or after a yield with the sent value to come.
            if (!g.Started)
            {
                if (g.Frame.Ip != 0 || g.Frame.Sp != 0 || !r.IsEntry(g.Frame)) throw Bad(frameToken, "a generator that has not started is at its entry");
            }
            else
            {
                var site = r.SiteOf(g.Frame, frameToken);
                if ((OpCode)(g.Frame.Code.Instructions[site.Instruction] & 0xFF) != OpCode.YieldValue || g.Frame.Sp != site.StackDepth - 1)
                    throw Bad(frameToken, "a suspended generator is stopped at a yield");
            }
        }
        else if (!g.Started)
        {
            throw Bad(e, "a running generator has started");
        }
    }

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) =>
        new JValue($"<generator {entry["frame"]?["function"] ?? entry["function"]}>");

    /// <summary>The frame of the generator a tasklet's chain names ({"generator": {"ref": i}}), as `wf stack` lists it; null when there is none.</summary>
    internal static JObject? FrameOnChain(StackReader r, JToken generator) =>
        generator is JObject { Count: 1 } o && o["ref"] is { } reference ? r.Entry(reference)?["frame"] as JObject : null;
}
