using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling;

/// <summary>
/// Frames: each is made with its code (found by name in the program), its module, its cells and
/// its resume site, then filled with its variables and stack; a tasklet's chain is checked link
/// by link against what the interpreter could have left (Unpickler).
/// </summary>
internal sealed partial class Unpickler
{
    /// <summary>Builds a tasklet's chain (outermost first), checking each link is one the interpreter makes.</summary>
    private Frame ReadChain(PArray frames, bool resumePending, Tasklet t)
    {
        Frame? parent = null;
        for (int i = 0; i < frames.Count; i++)
        {
            var token = Obj(frames[i]);
            NoTypeMetadata(token);
            Frame frame;
            if (token["generator"] is { } generatorRef)
            {
                var g = Value(generatorRef) as PyGenerator ?? throw Bad(generatorRef, "expected a generator");
                if (!g.Running || g.Finished) throw Bad(generatorRef, "a generator on a frame chain must be running");
                if (!_chained.Add(g)) throw Bad(generatorRef, "the generator is on two frame chains");
                if (parent == null) throw Bad(token, "a generator's frame cannot be a tasklet's first frame");
                if (g.Frame.ReturnKind is not (ReturnKind.ForIter or ReturnKind.YieldFrom or ReturnKind.Next or ReturnKind.Close))
                    throw Bad(generatorRef, "a running generator was resumed by a for loop, yield from, next() or a loop closing it");
                frame = g.Frame;
            }
            else
            {
                frame = CreateFrame(token);
                // A generator function's code runs only in its generator's frame, which YieldValue hands back to the generator.
                if (frame.Code.IsGenerator) throw Bad(token, $"{frame.Code.QualifiedName} is a generator function: its frame is pickled with its generator");
                FillFrame(frame, token);
                if (frame.ReturnKind == ReturnKind.Next) throw Bad(token, "only a generator's frame returns to next()");
                if (frame.ReturnKind == ReturnKind.Close) throw Bad(token, "only a generator's frame is closed by its loop");
                if (parent == null && frame.ReturnKind != ReturnKind.Call) throw Bad(token, "a tasklet's first frame must be a call");
            }
            bool top = i == frames.Count - 1;
            CheckPosition(frame, frames[i], top, top && resumePending, t);
            if (parent != null)
            {
                CheckLink(parent, frame, frames[i]);
                if (!frame.Link(parent, _vm.Options.MaxDepth)) throw Bad(frames[i], "the frame chain is deeper than the interpreter allows");
            }
            parent = frame;
        }
        return parent!;
    }

    /// <summary>
    /// A frame is at its function's entry with an empty stack, or at a resume site with the site's
    /// stack: minus the result it waits for when it is not the top frame or its tasklet will be
    /// resumed with a value (or an error), complete otherwise.
    /// </summary>
    private void CheckPosition(Frame frame, PNode token, bool top, bool resumePending, Tasklet t)
    {
        if (frame.Ip == 0 && frame.Sp == 0 && IsEntry(frame))
        {
            if (!top || resumePending) throw Bad(token, "a frame that has not started must be the top frame, with nothing to resume with");
            return;
        }
        var site = SiteOf(frame, token);
        bool waitsForValue = !top || resumePending;
        if (frame.Sp != site.StackDepth - (waitsForValue ? 1 : 0))
            throw Bad(token, $"the operand stack has {frame.Sp} values; resume site {site.Name} needs {site.StackDepth - (waitsForValue ? 1 : 0)}");
        if (waitsForValue && site.Kind == SiteKind.LoopBack) throw Bad(token, "a loop's back-edge does not wait for a value");
        if (top && t.ResumeValue == PyChannel.EndOfIteration && site.Kind != SiteKind.ForStep)
            throw Bad(token, "only a for loop over a channel resumes with end_of_iteration");
        // Closing the channel wakes a receiver waiting as a loop with end_of_iteration, which leaves the loop its ForIter names.
        if (top && t.State == TaskletState.Blocked && t.Receiving == ReceiveMode.Loop && site.Kind != SiteKind.ForStep)
            throw Bad(token, "only a for loop over a channel waits to receive as a loop");
    }

    /// <summary>The return kind of [child] must match the instruction its parent is stopped at.</summary>
    private void CheckLink(Frame parent, Frame child, PNode token)
    {
        var site = parent.Code.ResumeSiteAt(parent.Ip, parent.Sp)!;
        var op = (OpCode)(parent.Code.Instructions[site.Instruction] & 0xFF);
        bool ok = child.ReturnKind switch
        {
            ReturnKind.ForIter => site.Kind == SiteKind.ForStep,
            ReturnKind.YieldFrom => site.Kind == SiteKind.YieldFrom,
            ReturnKind.ForIterNext => site.Kind is SiteKind.ForStep or SiteKind.YieldFrom,
            ReturnKind.ClassBody => site.Kind == SiteKind.ClassBody,
            ReturnKind.Import => site.Kind == SiteKind.Import,
            // Every other safe point waits for a frame it called (a function, or a dunder method through the prelude).
            _ => site.Kind is not (SiteKind.Await or SiteKind.Yield or SiteKind.LoopBack or SiteKind.ForStep or SiteKind.YieldFrom
                or SiteKind.ClassBody or SiteKind.Import),
        };
        if (!ok) throw Bad(token, $"a frame that returns as '{ReturnKindNames.Name(child.ReturnKind)}' cannot be called from a {op} instruction");
    }

    internal bool IsEntry(Frame frame) => _entryFrames.Contains(frame);

    /// <summary>
    /// The resume site a frame's "site" names: format 2 writes its kind and its ordinal among the
    /// function's sites of that kind ("call#2", "call" for "call#0": SiteNames), format 1 its ordinal among all sites of the kinds
    /// format 1 had (PickleFormat).
    /// </summary>
    private ResumeSite SiteNamed(CodeObject code, PNode token)
    {
        if (_format == 1)
        {
            if (token.Type == PickleJsonType.String) throw Bad(token, "a format-1 site is a number or \"entry\"");
            int ordinal1 = Int(token, 0, int.MaxValue);
            return code.ResumeSiteOfFormat1(ordinal1) ?? throw Bad(token, $"{code.QualifiedName} has no format-1 resume site {ordinal1}");
        }
        var name = token.Type == PickleJsonType.String ? Str(token) : throw Bad(token, "a site is \"kind#ordinal\", \"kind\" or \"entry\"");
        if (!SiteNames.TryParse(name, out var kind, out int ordinal))
            throw Bad(token, $"'{name}' is not a resume site (\"kind#ordinal\" such as \"call#2\", or \"kind\" for \"kind#0\")");
        return code.ResumeSiteNamed(kind, ordinal) ?? throw Bad(token, $"{code.QualifiedName} has no resume site {name}");
    }

    internal ResumeSite SiteOf(Frame frame, PNode token) =>
        frame.Code.ResumeSiteAt(frame.Ip, frame.Sp) ?? frame.Code.ResumeSiteAt(frame.Ip, frame.Sp - 1)
        ?? throw Bad(token, "the frame is not at a resume site of its function");

    internal CodeObject CodeOf(PObject token, string key)
    {
        var module = token["module"] is { } m ? Str(m) : "__main__";
        var nameToken = Required(token, key);
        var name = Str(nameToken);
        return _program.Function(module, name) ?? throw Bad(nameToken, $"the program has no function '{name}' in module '{module}'");
    }

    internal PyModule ModuleOf(CodeObject code, PNode token)
    {
        if (code.ModuleName == Builtins.Prelude.ModuleName) return _vm.PreludeModule;
        return _vm.Modules.GetValueOrDefault(code.ModuleName) ?? throw Bad(token, $"module '{code.ModuleName}' is not in the pickle's modules");
    }

    /// <summary>Makes a frame with its code, module and cells; its variables and stack come in FillFrame.</summary>
    internal Frame CreateFrame(PObject token)
    {
        NoTypeMetadata(token);
        var code = CodeOf(token, "function");
        var frame = new Frame(code, ModuleOf(code, token), null);
        int cellCount = code.CellNames.Length + code.FreeNames.Length;
        var cells = token["cells"] as PObject;
        if (cellCount > 0 && cells == null) throw Bad(token, $"{code.QualifiedName} needs its cells");
        if (cells != null)
        {
            if (cells.Count != cellCount) throw Bad(cells, $"{code.QualifiedName} has {cellCount} cells, not {cells.Count}");
            for (int i = 0; i < cellCount; i++)
            {
                var name = i < code.CellNames.Length ? code.CellNames[i] : code.FreeNames[i - code.CellNames.Length];
                var cellToken = cells[name] ?? throw Bad(cells, $"missing cell '{name}'");
                frame.Cells[i] = ResolveRef(cellToken) as Cell ?? throw Bad(cellToken, "expected a cell");
            }
        }
        var siteToken = Required(token, "site");
        if (siteToken.Type == PickleJsonType.String && Str(siteToken) == "entry")
        {
            frame.Ip = 0;
            _entryFrames.Add(frame);
        }
        else
        {
            frame.Ip = SiteNamed(code, siteToken).Offset;
        }
        if (token["return"] is { } kind)
        {
            frame.ReturnKind = ReturnKindNames.Parse(Str(kind)) ?? throw Bad(kind, $"unknown return kind '{Str(kind)}'");
        }
        return frame;
    }

    internal void FillFrame(Frame frame, PObject token)
    {
        var code = frame.Code;
        if (token["locals"] is { } locals)
        {
            foreach (var (name, value) in Obj(locals))
            {
                int slot = code.LocalSlot(name);
                if (slot < 0) throw Bad(value!, $"{code.QualifiedName} has no local variable '{name}'");
                frame.Locals[slot] = Value(value!);
            }
        }
        if (token["stack"] is { } stack)
        {
            var items = Arr(stack);
            if (items.Count > code.MaxStack) throw Bad(stack, $"{code.QualifiedName}'s stack holds at most {code.MaxStack} values");
            // Checked against the code's stack shapes once every object is filled in (CheckStack).
            for (int i = 0; i < items.Count; i++) frame.Stack[i] = AnyValue(items[i]);
            frame.Sp = items.Count;
            _stackChecks.Add((frame, token));
        }
        if (token["namespace"] is { } ns)
        {
            frame.Namespace = new Dictionary<string, object>();
            foreach (var (name, value) in Obj(ns)) frame.Namespace[name] = Value(value!);
        }
        if (token["extra"] is { } extra) frame.Extra = Value(extra);
        if (token["nextDefault"] is { } nextDefault) frame.NextDefault = Value(nextDefault);

        bool extraOk = frame.ReturnKind switch
        {
            ReturnKind.Init => frame.Extra is PyInstance,
            ReturnKind.ClassBody => frame.Namespace != null && frame.Extra is PyTuple { Items: [string, PyTuple] },
            ReturnKind.Import => frame.Extra is PyModule,
            _ => frame.Extra == null,
        };
        if (!extraOk) throw Bad(token, $"the frame's 'extra' does not fit its return kind '{ReturnKindNames.Name(frame.ReturnKind)}'");
        if (frame.ReturnKind != ReturnKind.ClassBody && frame.Namespace != null) throw Bad(token, "only a class body has a namespace");
        if (frame.NextDefault != null && frame.ReturnKind != ReturnKind.Next) throw Bad(token, "only a frame resumed by next() has a default");
    }
}
