using Workflow.Runtime;

namespace Workflow.Pickling;

/// <summary>
/// Tasklets and their frames: each frame's function, resume site, live variables by name, cells and
/// operand stack; what the unpickler can tell is left out (Pickler).
/// </summary>
internal sealed partial class Pickler
{
    /// <summary>
    /// A tasklet. Its state is left out where the unpickler can tell it (a result or an error:
    /// finished; queued or running: runnable; else blocked), and so is what it waits for, which is
    /// where it is queued: a channel's senders or receivers, a future's or a tasklet's awaiters.
    /// </summary>
    private void WriteTasklet(Tasklet t, HashSet<Tasklet> scheduled)
    {
        _w.WriteStartObject();
        Property("id", t.Id);
        var derived = t.Error != null ? TaskletState.Failed
            : t.Result != null ? TaskletState.Completed
            : scheduled.Contains(t) ? TaskletState.Runnable
            : TaskletState.Blocked;
        if (t.State != derived)
        {
            Property("state", t.State switch
            {
                TaskletState.Runnable => "runnable",
                TaskletState.Blocked => "blocked",
                TaskletState.Completed => "completed",
                _ => "failed",
            });
        }
        // A channel nothing else references any more is not in the pickle: keep what its waiter waited for.
        if (t.State == TaskletState.Blocked && t.BlockedOn is "send" or "receive") Property("blockedOn", t.BlockedOn);
        if (t.State == TaskletState.Blocked && t.Receiving != ReceiveMode.Call)
            Property("receiving", t.Receiving == ReceiveMode.Loop ? "loop" : "next");
        if (t.Top != null)
        {
            _w.WritePropertyName("frames", false);
            WriteChain(t.Top);
        }
        OptionalValue("resume", t.ResumeValue);
        OptionalValue("resumeError", t.ResumeError);
        OptionalValue("handled", t.HandledException);
        OptionalValue("result", t.Result);
        OptionalValue("error", t.Error);
        if (t.ErrorObserved) Property("errorObserved", true);
        if (t.Awaiters is { Count: > 0 }) TaskletIds("awaiters", t.Awaiters);
        _w.WriteEndObject();
    }

    /// <summary>A tasklet's frames, outermost first (like a traceback); a running generator's frame is written in its heap entry.</summary>
    private void WriteChain(Frame top)
    {
        var chain = new List<Frame>();
        for (var f = top; f != null; f = f.Parent) chain.Add(f);
        _w.WriteStartArray();
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            var f = chain[i];
            if (f.Generator != null)
            {
                _w.WriteStartObject();
                _w.WritePropertyName("generator", false);
                WriteValue(f.Generator);
                _w.WriteEndObject();
            }
            else
            {
                WriteFrame(f);
            }
        }
        _w.WriteEndArray();
    }

    /// <summary>A frame: a tasklet's, or a generator's in its heap entry (PickledGenerator).</summary>
    internal void WriteFrame(Frame f)
    {
        var code = f.Code;
        _w.WriteStartObject();
        if (code.ModuleName != "__main__") Property("module", code.ModuleName);
        Property("function", code.QualifiedName);
        // Offset 0 with an empty stack is the entry, even when a loop's head is there too: both go on alike.
        var site = f.Ip == 0 && f.Sp == 0 ? null : code.ResumeSiteAt(f.Ip, f.Sp);
        int[] liveSlots;
        if (site != null)
        {
            Property("site", SiteNames.Write(site));
            liveSlots = site.LiveSlots;
        }
        else if (f.Ip == 0 && f.Sp == 0)
        {
            Property("site", "entry");
            liveSlots = code.LiveAtEntrySlots;
        }
        else
        {
            throw new PickleException("", $"{code.QualifiedName} is not stopped at a safe point (offset {f.Ip}, stack {f.Sp}): this is a bug in the engine");
        }
        Property("line", f.CurrentLine);
        if (f.ReturnKind != ReturnKind.Call) Property("return", ReturnKindNames.Name(f.ReturnKind));

        bool any = false;
        if (_allLocals)
        {
            for (int slot = 0; slot < f.Locals.Length; slot++) WriteLocal(f, slot, ref any);
        }
        else
        {
            foreach (var slot in liveSlots) WriteLocal(f, slot, ref any);
        }
        if (any) _w.WriteEndObject();

        int cellCount = f.Cells.Length;
        if (cellCount > 0)
        {
            _w.WritePropertyName("cells", false);
            _w.WriteStartObject();
            for (int i = 0; i < cellCount; i++)
            {
                _w.WritePropertyName(i < code.CellNames.Length ? code.CellNames[i] : code.FreeNames[i - code.CellNames.Length], false);
                WriteValue(f.Cells[i]);
            }
            _w.WriteEndObject();
        }
        if (f.Sp > 0)
        {
            // The operand stack at a resume site, bottom first: iterators of enclosing for loops,
            // a call's callable and arguments evaluated so far, an except block's exceptions.
            _w.WritePropertyName("stack", false);
            _w.WriteStartArray();
            for (int i = 0; i < f.Sp; i++) WriteValue(f.Stack[i]);
            _w.WriteEndArray();
        }
        if (f.Namespace != null) Names("namespace", f.Namespace);
        OptionalValue("extra", f.Extra);
        OptionalValue("nextDefault", f.NextDefault);
        _w.WriteEndObject();
    }

    private void WriteLocal(Frame f, int slot, ref bool any)
    {
        var value = f.Locals[slot];
        if (value == null) return;
        if (!any)
        {
            _w.WritePropertyName("locals", false);
            _w.WriteStartObject();
            any = true;
        }
        _w.WritePropertyName(f.Code.LocalNames[slot], false); // an identifier: nothing to escape
        WriteValue(value);
    }
}
