using Workflow.Compiler;
using Workflow.Syntax;
using Workflow.Values;

namespace Workflow.Runtime;

internal sealed partial class Interpreter
{
    private object? _nestedResult;
    private bool _nestedYielded;

    private void Execute(Tasklet t) => Loop(t, null);

    /// <summary>
    /// The interpreter loop. It runs the top frame of [t]; a call pushes a frame and the loop simply
    /// continues with it, a return pops back, so script calls never recurse in C#. Without a
    /// [boundary] it returns when the tasklet parks, is preempted or finishes. With one (a C# caller
    /// running script code, see RunNested) it returns when that frame returns or yields.
    /// </summary>
    // The loop is entered only a few times per run, so tiered JIT would leave it in unoptimised
    // tier-0 code; compile it fully optimised from the start.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Loop(Tasklet t, Frame? boundary)
    {
        PyException? error = null;
        bool addTraceback = true;
        Frame f = t.Top!;
        if (boundary == null)
        {
            if (t.ResumeError != null)
            {
                error = t.ResumeError;
                t.ResumeError = null;
            }
            if (t.ResumeValue != null)
            {
                if (t.ResumeValue == PyChannel.EndOfIteration)
                {
                    // The channel of the `for v in ch` this tasklet waited in was closed: leave the loop.
                    f.Stack[--f.Sp] = null!;
                    f.Ip = f.Code.Instructions[f.Ip - 1] >> 8;
                }
                else
                {
                    f.Stack[f.Sp++] = t.ResumeValue;
                }
                t.ResumeValue = null;
            }
        }

        while (true)
        {
            int ip = 0;
            int sp;
            int[] code;
            object[] stack, constants;
            object?[] locals;
            if (error != null) goto HandleError;
            try
            {
            Reload:
                f = t.Top!;
                code = f.Code.Instructions;
                constants = f.Code.Constants;
                stack = f.Stack;
                locals = f.Locals;
                sp = f.Sp;
                ip = f.Ip;
                while (true)
                {
                    int ins = code[ip++];
                    int arg = ins >> 8;
                    switch ((OpCode)(ins & 0xFF))
                    {
                        case OpCode.Nop:
                            break;
                        case OpCode.LoadConst:
                            stack[sp++] = constants[arg];
                            break;
                        case OpCode.LoadFast:
                            stack[sp++] = locals[arg] ?? throw UnboundLocal(f.Code.LocalNames[arg]);
                            break;
                        case OpCode.StoreFast:
                            locals[arg] = stack[--sp];
                            break;
                        case OpCode.DeleteFast:
                            if (locals[arg] == null) throw UnboundLocal(f.Code.LocalNames[arg]);
                            locals[arg] = null;
                            break;
                        case OpCode.LoadDeref:
                            stack[sp++] = f.Cells[arg].Value ?? throw UnboundCell(f.Code, arg);
                            break;
                        case OpCode.StoreDeref:
                            f.Cells[arg].Value = stack[--sp];
                            break;
                        case OpCode.DeleteDeref:
                            if (f.Cells[arg].Value == null) throw UnboundCell(f.Code, arg);
                            f.Cells[arg].Value = null;
                            break;
                        case OpCode.LoadClosure:
                            stack[sp++] = f.Cells[arg];
                            break;
                        case OpCode.LoadGlobal:
                            {
                                var slot = f.Globals.Slots[arg] ??= f.Module.Globals.Slot(f.Code.Names[arg]);
                                stack[sp++] = slot.Value ?? f.Globals.Builtins[arg] ?? LoadBuiltin(f, arg);
                                break;
                            }
                        case OpCode.StoreGlobal:
                            (f.Globals.Slots[arg] ??= f.Module.Globals.Slot(f.Code.Names[arg])).Value = stack[--sp];
                            break;
                        case OpCode.DeleteGlobal:
                            if (!f.Module.Globals.Remove(f.Code.Names[arg]))
                                throw Errors.NameError($"name '{f.Code.Names[arg]}' is not defined");
                            break;
                        case OpCode.LoadName:
                            {
                                var name = f.Code.Names[arg];
                                stack[sp++] = f.Namespace != null && f.Namespace.TryGetValue(name, out var v) ? v : LoadGlobal(f, name);
                                break;
                            }
                        case OpCode.StoreName:
                            if (f.Namespace != null) f.Namespace[f.Code.Names[arg]] = stack[--sp];
                            else f.Module.Globals[f.Code.Names[arg]] = stack[--sp];
                            break;
                        case OpCode.DeleteName:
                            if (!(f.Namespace != null ? f.Namespace.Remove(f.Code.Names[arg]) : f.Module.Globals.Remove(f.Code.Names[arg])))
                                throw Errors.NameError($"name '{f.Code.Names[arg]}' is not defined");
                            break;

                        case OpCode.PopTop:
                            stack[--sp] = null!;
                            break;
                        case OpCode.Copy:
                            stack[sp] = stack[sp - arg];
                            sp++;
                            break;
                        case OpCode.Swap:
                            (stack[sp - 1], stack[sp - arg]) = (stack[sp - arg], stack[sp - 1]);
                            break;

                        case OpCode.BinaryOp:
                            {
                                var b = stack[--sp];
                                var a = stack[sp - 1];
                                if (a is long x && b is long y)
                                {
                                    switch ((BinaryOperator)(arg & 0xFF))
                                    {
                                        case BinaryOperator.Add:
                                            {
                                                long r = x + y;
                                                if (((x ^ r) & (y ^ r)) >= 0)
                                                {
                                                    stack[sp - 1] = Boxes.Int(r);
                                                    continue;
                                                }
                                                break;
                                            }
                                        case BinaryOperator.Sub:
                                            {
                                                long r = x - y;
                                                if (((x ^ y) & (x ^ r)) >= 0)
                                                {
                                                    stack[sp - 1] = Boxes.Int(r);
                                                    continue;
                                                }
                                                break;
                                            }
                                        case BinaryOperator.Mod when y > 0:
                                            {
                                                // Python's modulo takes the divisor's sign.
                                                long r = x % y;
                                                if (r < 0) r += y;
                                                stack[sp - 1] = Boxes.Int(r);
                                                continue;
                                            }
                                        case BinaryOperator.FloorDiv when y > 0:
                                            {
                                                long q = x / y;
                                                if (x % y < 0) q--;
                                                stack[sp - 1] = Boxes.Int(q);
                                                continue;
                                            }
                                        case BinaryOperator.Mult:
                                            {
                                                long high = Math.BigMul(x, y, out long r);
                                                if (high != r >> 63) break;
                                                stack[sp - 1] = Boxes.Int(r);
                                                continue;
                                            }
                                    }
                                }
                                else if (a is double p && b is double q)
                                {
                                    switch ((BinaryOperator)(arg & 0xFF))
                                    {
                                        case BinaryOperator.Add: stack[sp - 1] = p + q; continue;
                                        case BinaryOperator.Sub: stack[sp - 1] = p - q; continue;
                                        case BinaryOperator.Mult: stack[sp - 1] = p * q; continue;
                                        case BinaryOperator.Div when q != 0: stack[sp - 1] = p / q; continue;
                                    }
                                }
                                stack[sp - 1] = Ops.Binary((BinaryOperator)(arg & 0xFF), a, b, inPlace: (arg & 0x100) != 0);
                                break;
                            }
                        case OpCode.UnaryNegative:
                            stack[sp - 1] = Ops.Negate(stack[sp - 1]);
                            break;
                        case OpCode.UnaryPositive:
                            stack[sp - 1] = Ops.Positive(stack[sp - 1]);
                            break;
                        case OpCode.UnaryNot:
                            stack[sp - 1] = Ops.Truthy(stack[sp - 1]) ? Boxes.False : Boxes.True;
                            break;
                        case OpCode.UnaryInvert:
                            stack[sp - 1] = Ops.Invert(stack[sp - 1]);
                            break;
                        case OpCode.CompareOp:
                            {
                                var b = stack[--sp];
                                var a = stack[sp - 1];
                                if (a is long x && b is long y)
                                {
                                    stack[sp - 1] = arg switch
                                    {
                                        0 => x == y,
                                        1 => x != y,
                                        2 => x < y,
                                        3 => x <= y,
                                        4 => x > y,
                                        _ => x >= y,
                                    } ? Boxes.True : Boxes.False;
                                }
                                else
                                {
                                    stack[sp - 1] = Ops.Compare(arg, a, b);
                                }
                                break;
                            }
                        case OpCode.IsOp:
                            {
                                var b = stack[--sp];
                                var same = Ops.Is(stack[sp - 1], b);
                                stack[sp - 1] = same != (arg == 1) ? Boxes.True : Boxes.False;
                                break;
                            }
                        case OpCode.ContainsOp:
                            {
                                var container = stack[--sp];
                                var found = Ops.Contains(container, stack[sp - 1]);
                                stack[sp - 1] = found != (arg == 1) ? Boxes.True : Boxes.False;
                                break;
                            }

                        case OpCode.Jump:
                            ip = arg;
                            break;
                        case OpCode.JumpBackward:
                            if (--_budget <= 0 && Tick(f, resumeAt: arg, reportAt: ip, boundary))
                            {
                                f.Sp = sp;
                                _runQueue.Enqueue(t);
                                return;
                            }
                            ip = arg;
                            break;
                        case OpCode.PopJumpIfFalse:
                            {
                                var v = stack[--sp];
                                if (!(v is bool b ? b : Ops.Truthy(v))) ip = arg;
                                break;
                            }
                        case OpCode.PopJumpIfTrue:
                            {
                                var v = stack[--sp];
                                if (v is bool b ? b : Ops.Truthy(v)) ip = arg;
                                break;
                            }
                        case OpCode.JumpIfFalseOrPop:
                            if (!Ops.Truthy(stack[sp - 1])) ip = arg;
                            else sp--;
                            break;
                        case OpCode.JumpIfTrueOrPop:
                            if (Ops.Truthy(stack[sp - 1])) ip = arg;
                            else sp--;
                            break;

                        case OpCode.GetIter:
                            {
                                var iterable = stack[sp - 1];
                                if (iterable is PyInstance { } ii && ii.Class.TryLookup("__iter__", out var iterMethod) && iterMethod is PyFunction iterFn)
                                {
                                    // __iter__ runs as a frame whose result replaces the object on the stack.
                                    stack[--sp] = null!;
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    var made = Invoke(iterFn, new object[] { ii }, null);
                                    if (made is Frame iterFrame)
                                    {
                                        PushFrame(t, f, iterFrame);
                                        goto Reload;
                                    }
                                    stack[sp++] = made; // a generator: __iter__ written with yield
                                    break;
                                }
                                stack[sp - 1] = GetIterator(iterable);
                                break;
                            }
                        case OpCode.ForIter:
                        case OpCode.ForIterYieldFrom:
                            {
                                var it = stack[sp - 1];
                                bool yieldFrom = (OpCode)(ins & 0xFF) == OpCode.ForIterYieldFrom;
                                if (it is PyIterator pi)
                                {
                                    if (pi.MoveNext(out var v)) stack[sp++] = v;
                                    else ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom, PyNone.Value);
                                    break;
                                }
                                if (it is PyGenerator g)
                                {
                                    if (g.Finished)
                                    {
                                        ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom, PyNone.Value);
                                        break;
                                    }
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    ResumeGenerator(t, f, g, yieldFrom ? ReturnKind.YieldFrom : ReturnKind.ForIter);
                                    goto Reload;
                                }
                                f.Ip = ip;
                                f.Sp = sp;
                                if (it is PyInstance ni && Ops.FindUserMethod(ni, "__next__", out var nextMethod) && nextMethod is PyFunction nextFn)
                                {
                                    var nf = (Frame)Invoke(nextFn, new object[] { ni }, null);
                                    nf.ReturnKind = ReturnKind.ForIterNext;
                                    PushFrame(t, f, nf);
                                    goto Reload;
                                }
                                if (it is ChannelIterator ci)
                                {
                                    var received = ci.Channel.Receive(this, forLoop: true);
                                    if (received == Suspended) return;
                                    if (received == PyChannel.EndOfIteration) ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom, PyNone.Value);
                                    else stack[sp++] = received;
                                    break;
                                }
                                if (NextOfObject(it, out var value)) stack[sp++] = value;
                                else ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom, PyNone.Value);
                                break;
                            }

                        case OpCode.BuildList:
                            {
                                var items = new List<object>(Math.Max(arg, 4));
                                for (int i = sp - arg; i < sp; i++) items.Add(stack[i]);
                                sp -= arg;
                                stack[sp++] = new PyList(items);
                                break;
                            }
                        case OpCode.BuildTuple:
                            {
                                if (arg == 0)
                                {
                                    stack[sp++] = PyTuple.Empty;
                                    break;
                                }
                                var items = new object[arg];
                                Array.Copy(stack, sp - arg, items, 0, arg);
                                sp -= arg;
                                stack[sp++] = new PyTuple(items);
                                break;
                            }
                        case OpCode.BuildDict:
                            {
                                var dict = new PyDict();
                                for (int i = sp - 2 * arg; i < sp; i += 2) dict.Set(stack[i], stack[i + 1]);
                                sp -= 2 * arg;
                                stack[sp++] = dict;
                                break;
                            }
                        case OpCode.BuildSlice:
                            {
                                var step = arg == 3 ? stack[--sp] : PyNone.Value;
                                var upper = stack[--sp];
                                stack[sp - 1] = new PySlice(stack[sp - 1], upper, step);
                                break;
                            }
                        case OpCode.BuildString:
                            {
                                var parts = new string[arg];
                                for (int i = 0; i < arg; i++) parts[i] = (string)stack[sp - arg + i];
                                sp -= arg;
                                stack[sp++] = string.Concat(parts);
                                break;
                            }
                        case OpCode.ListExtend:
                            {
                                var iterable = stack[--sp];
                                ((PyList)stack[sp - 1]).Items.AddRange(Ops.Iterate(iterable));
                                break;
                            }
                        case OpCode.ListToTuple:
                            stack[sp - 1] = new PyTuple(((PyList)stack[sp - 1]).Items.ToArray());
                            break;
                        case OpCode.DictMerge:
                            {
                                var mapping = stack[--sp];
                                if (mapping is not PyDict source)
                                    throw Errors.TypeError($"'{Ops.TypeName(mapping)}' object is not a mapping");
                                var target = (PyDict)stack[sp - 1];
                                foreach (var kv in source.Items)
                                {
                                    if (arg == 1 && target.ContainsKey(kv.Key))
                                        throw Errors.TypeError($"{CallableName(stack[sp - 3])}() got multiple values for keyword argument '{Ops.Str(kv.Key)}'");
                                    target.Set(kv.Key, kv.Value);
                                }
                                break;
                            }
                        case OpCode.ListAppend:
                            {
                                var v = stack[--sp];
                                ((PyList)stack[sp - arg]).Items.Add(v);
                                break;
                            }
                        case OpCode.DictSet:
                            {
                                var v = stack[--sp];
                                var k = stack[--sp];
                                ((PyDict)stack[sp - arg]).Set(k, v);
                                break;
                            }
                        case OpCode.FormatValue:
                            {
                                var spec = (arg & 4) != 0 ? (string)stack[--sp] : "";
                                var v = stack[sp - 1];
                                v = (arg & 3) switch
                                {
                                    1 => Ops.Str(v),
                                    2 => Ops.Repr(v),
                                    3 => Ops.Ascii(v),
                                    _ => v,
                                };
                                stack[sp - 1] = v is string s && spec.Length == 0 ? s : Ops.Format(v, spec);
                                break;
                            }

                        case OpCode.UnpackSequence:
                            {
                                var seq = stack[--sp];
                                var items = Ops.UnpackItems(seq, arg);
                                for (int i = arg - 1; i >= 0; i--) stack[sp++] = items[i];
                                break;
                            }
                        case OpCode.UnpackEx:
                            {
                                int before = arg & 0xFF, after = arg >> 8;
                                var items = Ops.Iterate(stack[--sp]).ToList();
                                if (items.Count < before + after)
                                    throw Errors.ValueError($"not enough values to unpack (expected at least {before + after}, got {items.Count})");
                                for (int i = items.Count - 1; i >= items.Count - after; i--) stack[sp++] = items[i];
                                stack[sp++] = new PyList(items.GetRange(before, items.Count - before - after));
                                for (int i = before - 1; i >= 0; i--) stack[sp++] = items[i];
                                break;
                            }

                        case OpCode.LoadAttr:
                            f.Ip = ip;
                            f.Sp = sp;
                            stack[sp - 1] = Ops.GetAttr(stack[sp - 1], f.Code.Names[arg]);
                            break;
                        case OpCode.StoreAttr:
                            {
                                var obj = stack[--sp];
                                var v = stack[--sp];
                                Ops.SetAttr(obj, f.Code.Names[arg], v);
                                break;
                            }
                        case OpCode.DeleteAttr:
                            Ops.DelAttr(stack[--sp], f.Code.Names[arg]);
                            break;
                        case OpCode.BinarySubscr:
                            {
                                var key = stack[--sp];
                                var container = stack[sp - 1];
                                if (container is PyList list && key is long index)
                                {
                                    var count = list.Items.Count;
                                    if (index < 0) index += count;
                                    if ((ulong)index >= (ulong)count) throw Errors.IndexError("list index out of range");
                                    stack[sp - 1] = list.Items[(int)index];
                                    break;
                                }
                                f.Ip = ip;
                                f.Sp = sp;
                                stack[sp - 1] = Ops.GetItem(container, key);
                                break;
                            }
                        case OpCode.StoreSubscr:
                            {
                                var key = stack[--sp];
                                var container = stack[--sp];
                                var v = stack[--sp];
                                Ops.SetItem(container, key, v);
                                break;
                            }
                        case OpCode.DeleteSubscr:
                            {
                                var key = stack[--sp];
                                Ops.DelItem(stack[--sp], key);
                                break;
                            }

                        case OpCode.Call:
                            {
                                var callable = stack[sp - arg - 1];
                                if (--_budget <= 0 && Tick(f, resumeAt: ip - 1, reportAt: ip, boundary))
                                {
                                    // Preempt before the call: the instruction runs again when the tasklet resumes.
                                    f.Sp = sp;
                                    _runQueue.Enqueue(t);
                                    return;
                                }
                                PyFunction? fn = callable as PyFunction;
                                int skip = 0;
                                if (fn == null && callable is BoundMethod bm)
                                {
                                    fn = bm.Function;
                                    // Put self where the callable was, so it reads as the first argument.
                                    stack[sp - arg - 1] = bm.Self;
                                    skip = 1;
                                }
                                if (fn != null && IsSimpleCall(fn.Code, arg + skip))
                                {
                                    var nf = new Frame(fn.Code, fn.Module, fn.Closure, fn.Globals);
                                    Array.Copy(stack, sp - arg - skip, nf.Locals, 0, arg + skip);
                                    InitCellParameters(nf);
                                    sp -= arg + 1;
                                    Array.Clear(stack, sp, arg + 1);
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    if (fn.Code.IsGenerator)
                                    {
                                        var gen = new PyGenerator(nf);
                                        nf.Generator = gen;
                                        stack[sp++] = gen;
                                        break;
                                    }
                                    PushFrame(t, f, nf);
                                    goto Reload;
                                }
                                var args = new object[arg + skip];
                                Array.Copy(stack, sp - arg - skip, args, 0, arg + skip);
                                if (skip == 1) callable = fn!;
                                sp -= arg + 1;
                                Array.Clear(stack, sp, arg + 1);
                                f.Ip = ip;
                                f.Sp = sp;
                                var result = Invoke(callable, args, null);
                                if (result is Frame frame)
                                {
                                    PushFrame(t, f, frame);
                                    goto Reload;
                                }
                                if (result == Suspended) return;
                                stack[sp++] = result;
                                break;
                            }
                        case OpCode.LoadMethod:
                            {
                                var obj = stack[sp - 1];
                                var name = f.Code.Names[arg];
                                if (obj is PyInstance inst)
                                {
                                    if (inst.Class.TryLookup(name, out var attr) && attr is PyFunction method && !inst.Attributes.ContainsKey(name))
                                    {
                                        stack[sp - 1] = method;
                                        stack[sp++] = inst;
                                        break;
                                    }
                                }
                                else if (obj is not (PyClass or PyModule or PySuper)
                                    && BuiltinTypes.TypeOf(obj).NativeMethods is { } natives && natives.TryGetValue(name, out var native))
                                {
                                    stack[sp - 1] = native;
                                    stack[sp++] = obj;
                                    break;
                                }
                                f.Ip = ip;
                                f.Sp = sp;
                                stack[sp - 1] = Ops.GetAttr(obj, name);
                                stack[sp++] = NoSelf.Value;
                                break;
                            }
                        case OpCode.CallMethod:
                            {
                                var self = stack[sp - arg - 1];
                                var callable = stack[sp - arg - 2];
                                if (--_budget <= 0 && Tick(f, resumeAt: ip - 1, reportAt: ip, boundary))
                                {
                                    f.Sp = sp;
                                    _runQueue.Enqueue(t);
                                    return;
                                }
                                object result;
                                if (self != NoSelf.Value && callable is PyFunction fn && IsSimpleCall(fn.Code, arg + 1))
                                {
                                    var nf = new Frame(fn.Code, fn.Module, fn.Closure, fn.Globals);
                                    Array.Copy(stack, sp - arg - 1, nf.Locals, 0, arg + 1);
                                    InitCellParameters(nf);
                                    sp -= arg + 2;
                                    Array.Clear(stack, sp, arg + 2);
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    if (fn.Code.IsGenerator)
                                    {
                                        var gen = new PyGenerator(nf);
                                        nf.Generator = gen;
                                        stack[sp++] = gen;
                                        break;
                                    }
                                    PushFrame(t, f, nf);
                                    goto Reload;
                                }
                                if (self == NoSelf.Value)
                                {
                                    var args = new object[arg];
                                    Array.Copy(stack, sp - arg, args, 0, arg);
                                    sp -= arg + 2;
                                    Array.Clear(stack, sp, arg + 2);
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    result = Invoke(callable, args, null);
                                }
                                else if (callable is NativeMethod nm)
                                {
                                    var args = arg == 0 ? Array.Empty<object>() : new object[arg];
                                    Array.Copy(stack, sp - arg, args, 0, arg);
                                    sp -= arg + 2;
                                    Array.Clear(stack, sp, arg + 2);
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    result = nm(self, args, null);
                                }
                                else
                                {
                                    var args = new object[arg + 1];
                                    Array.Copy(stack, sp - arg - 1, args, 0, arg + 1);
                                    sp -= arg + 2;
                                    Array.Clear(stack, sp, arg + 2);
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    result = Invoke(callable, args, null);
                                }
                                if (result is Frame frame)
                                {
                                    PushFrame(t, f, frame);
                                    goto Reload;
                                }
                                if (result == Suspended) return;
                                stack[sp++] = result;
                                break;
                            }
                        case OpCode.CallKw:
                            {
                                var names = ((PyTuple)stack[--sp]).Items;
                                var callable = stack[sp - arg - 1];
                                int positional = arg - names.Length;
                                var args = new object[positional];
                                Array.Copy(stack, sp - arg, args, 0, positional);
                                var kwargs = new Dictionary<string, object>(names.Length);
                                for (int i = 0; i < names.Length; i++) kwargs[(string)names[i]] = stack[sp - names.Length + i];
                                sp -= arg + 1;
                                Array.Clear(stack, sp, arg + 1);
                                f.Ip = ip;
                                f.Sp = sp;
                                var result = Invoke(callable, args, kwargs);
                                if (result is Frame frame)
                                {
                                    PushFrame(t, f, frame);
                                    goto Reload;
                                }
                                if (result == Suspended) return;
                                stack[sp++] = result;
                                break;
                            }
                        case OpCode.CallEx:
                            {
                                Dictionary<string, object>? kwargs = null;
                                if (arg == 1) kwargs = KeywordArguments(stack[--sp]);
                                var args = ((PyTuple)stack[--sp]).Items;
                                var callable = stack[--sp];
                                f.Ip = ip;
                                f.Sp = sp;
                                var result = Invoke(callable, args, kwargs);
                                if (result is Frame frame)
                                {
                                    PushFrame(t, f, frame);
                                    goto Reload;
                                }
                                if (result == Suspended) return;
                                stack[sp++] = result;
                                break;
                            }
                        case OpCode.MakeFunction:
                            {
                                var fcode = (CodeObject)stack[--sp];
                                var closure = (arg & 4) != 0 ? ((PyTuple)stack[--sp]).Items.Select(c => (Cell)c).ToArray() : Array.Empty<Cell>();
                                Dictionary<string, object>? kwDefaults = null;
                                if ((arg & 2) != 0)
                                {
                                    kwDefaults = new Dictionary<string, object>();
                                    foreach (var kv in ((PyDict)stack[--sp]).Items) kwDefaults[(string)kv.Key] = kv.Value;
                                }
                                var defaults = (arg & 1) != 0 ? ((PyTuple)stack[--sp]).Items : Array.Empty<object>();
                                stack[sp++] = new PyFunction(fcode, f.Module, defaults, kwDefaults, closure);
                                break;
                            }
                        case OpCode.BuildClass:
                            {
                                var bases = (PyTuple)stack[--sp];
                                var name = (string)stack[--sp];
                                var body = (PyFunction)stack[--sp];
                                f.Ip = ip;
                                f.Sp = sp;
                                var nf = new Frame(body.Code, body.Module, body.Closure, body.Globals)
                                {
                                    Namespace = new Dictionary<string, object>(),
                                    ReturnKind = ReturnKind.ClassBody,
                                    Extra = PyTuple.Of(name, bases),
                                };
                                PushFrame(t, f, nf);
                                goto Reload;
                            }
                        case OpCode.ReturnValue:
                            {
                                var result = stack[--sp];
                                if (f.ReturnKind == ReturnKind.Call && f.Generator == null && f != boundary && f.Parent is { } caller)
                                {
                                    // The common case, a plain call returning to its caller.
                                    caller.Stack[caller.Sp++] = result;
                                    f.Parent = null;
                                    t.Top = caller;
                                    goto Reload;
                                }
                                f.Sp = sp;
                                f.Ip = ip;
                                if (ReturnFrom(t, f, result, boundary, out error)) return;
                                if (error != null)
                                {
                                    f = t.Top!;
                                    goto HandleError;
                                }
                                goto Reload;
                            }
                        case OpCode.YieldValue:
                            {
                                var v = stack[--sp];
                                f.Ip = ip;
                                f.Sp = sp;
                                var parent = f.Parent!;
                                f.Parent = null;
                                f.Generator!.Running = false;
                                t.Top = parent;
                                if (f == boundary)
                                {
                                    _nestedYielded = true;
                                    _nestedResult = v;
                                    return;
                                }
                                parent.Stack[parent.Sp++] = v;
                                goto Reload;
                            }
                        case OpCode.Await:
                            {
                                f.Ip = ip;
                                f.Sp = sp;
                                var result = AwaitValue(stack[sp - 1]);
                                if (result == Suspended)
                                {
                                    stack[--sp] = null!;
                                    f.Sp = sp;
                                    return;
                                }
                                stack[sp - 1] = result;
                                break;
                            }

                        case OpCode.RaiseVarargs:
                            f.Ip = ip;
                            if (arg == 0)
                            {
                                error = t.HandledException ?? Errors.RuntimeError("No active exception to reraise").Exception;
                                addTraceback = t.HandledException == null;
                            }
                            else
                            {
                                var cause = arg == 2 ? stack[--sp] : null;
                                error = MakeRaisable(stack[--sp]);
                                if (cause != null)
                                {
                                    error.Cause = cause is PyNone ? null : MakeRaisable(cause);
                                    error.SuppressContext = true;
                                }
                            }
                            goto HandleError;
                        case OpCode.Reraise:
                            f.Ip = ip;
                            error = (PyException)stack[--sp];
                            addTraceback = false;
                            goto HandleError;
                        case OpCode.PushExcInfo:
                            {
                                var exc = stack[sp - 1];
                                stack[sp - 1] = (object?)t.HandledException ?? PyNone.Value;
                                stack[sp++] = exc;
                                t.HandledException = (PyException)exc;
                                break;
                            }
                        case OpCode.PopExcept:
                            t.HandledException = stack[--sp] as PyException;
                            break;
                        case OpCode.CheckExcMatch:
                            {
                                var type = stack[--sp];
                                var matches = Ops.ExceptionMatches((PyException)stack[sp - 1], type);
                                stack[sp++] = matches ? Boxes.True : Boxes.False;
                                break;
                            }

                        case OpCode.ImportName:
                            {
                                f.Ip = ip;
                                f.Sp = sp;
                                var result = Import(f.Code.Names[arg]);
                                if (result is Frame frame)
                                {
                                    PushFrame(t, f, frame);
                                    goto Reload;
                                }
                                stack[sp++] = result;
                                break;
                            }
                        case OpCode.ImportFrom:
                            {
                                var module = (PyModule)stack[sp - 1];
                                var name = f.Code.Names[arg];
                                stack[sp++] = module.Globals.TryGetValue(name, out var v) ? v
                                    : throw Errors.New(ExceptionTypes.ImportError, $"cannot import name '{name}' from '{module.Name}' ({module.FileName})");
                                break;
                            }
                        case OpCode.RaiseAssertion:
                            f.Ip = ip;
                            error = arg == 1
                                ? new PyException(ExceptionTypes.AssertionError, PyTuple.Of(stack[--sp]))
                                : new PyException(ExceptionTypes.AssertionError, PyTuple.Empty);
                            goto HandleError;
                        default:
                            throw new InvalidOperationException($"unknown opcode {ins & 0xFF} in {f.Code.QualifiedName}");
                    }
                }
            }
            catch (ScriptError e)
            {
                f = t.Top!;
                f.Ip = ip;
                error = e.Exception;
                if (error.Context == null && t.HandledException != null && t.HandledException != error)
                    error.Context = t.HandledException;
            }

        HandleError:
            if (!Unwind(t, ref f, error!, addTraceback, boundary)) return;
            error = null;
            addTraceback = true;
        }
    }

    private static string CallableName(object callable) => callable switch
    {
        PyFunction fn => fn.Code.QualifiedName,
        BoundMethod bm => bm.Function.Code.QualifiedName,
        BuiltinFunction bf => bf.Name,
        PyClass c => c.Name,
        _ => Ops.TypeName(callable),
    };

    /// <summary>A call whose arguments can be copied straight into the new frame's slots.</summary>
    private static bool IsSimpleCall(CodeObject code, int argCount) =>
        argCount == code.PositionalCount && code.KwOnlyCount == 0 && !code.HasVarArgs && !code.HasVarKeywords;

    private static void InitCellParameters(Frame frame)
    {
        var slots = frame.Code.CellParameterSlots;
        for (int i = 0; i < slots.Length; i++)
            if (slots[i] >= 0) frame.Cells[i].Value = frame.Locals[slots[i]];
    }

    private void PushFrame(Tasklet t, Frame caller, Frame callee)
    {
        callee.Parent = caller;
        callee.Depth = caller.Depth + 1;
        if (callee.Depth > Options.MaxDepth)
        {
            callee.Parent = null;
            throw Errors.New(ExceptionTypes.RecursionError, "maximum recursion depth exceeded");
        }
        t.Top = callee;
    }

    /// <summary>Ends a for loop (pops the iterator and jumps to [target]), or for `yield from` leaves [result] in its place.</summary>
    private static void ExhaustLoop(object[] stack, ref int sp, ref int ip, int target, bool yieldFrom, object result)
    {
        if (yieldFrom) stack[sp - 1] = result;
        else stack[--sp] = null!;
        ip = target;
    }

    /// <summary>Spends a preemption budget; true when the tasklet should yield to the others now.</summary>
    /// <remarks>[reportAt] is the position the limit error names; [resumeAt] where the tasklet continues if preempted.</remarks>
    private bool Tick(Frame f, int resumeAt, int reportAt, Frame? boundary)
    {
        f.Ip = reportAt;
        _budget = Options.PreemptionTicks;
        _ticks += Options.PreemptionTicks;
        if (Options.MaxTicks > 0 && _ticks > Options.MaxTicks)
            throw new ExecutionLimitExceeded(Options.MaxTicks, $"{f.Code.FileName}:{f.CurrentLine} in {f.Code.Name}");
        f.Ip = resumeAt;
        return boundary == null && _nestedDepth == 0 && _runQueue.Count > 0;
    }

    private static object LoadBuiltin(Frame f, int nameIndex)
    {
        var name = f.Code.Names[nameIndex];
        if (Builtins.BuiltinFunctions.Table.TryGetValue(name, out var v)) return f.Globals.Builtins[nameIndex] = v;
        throw Errors.NameError($"name '{name}' is not defined");
    }

    private object LoadGlobal(Frame f, string name)
    {
        if (f.Module.Globals.TryGetValue(name, out var v)) return v;
        if (Builtins.BuiltinFunctions.Table.TryGetValue(name, out v)) return v;
        throw Errors.NameError($"name '{name}' is not defined");
    }

    private static ScriptError UnboundLocal(string name) =>
        Errors.New(ExceptionTypes.UnboundLocalError, $"cannot access local variable '{name}' where it is not associated with a value");

    private static ScriptError UnboundCell(CodeObject code, int index)
    {
        if (index < code.CellNames.Length) return UnboundLocal(code.CellNames[index]);
        var name = code.FreeNames[index - code.CellNames.Length];
        return Errors.NameError($"cannot access free variable '{name}' where it is not associated with a value in enclosing scope");
    }

    private static Dictionary<string, object> KeywordArguments(object mapping)
    {
        if (mapping is not PyDict dict) throw Errors.TypeError($"argument after ** must be a mapping, not {Ops.TypeName(mapping)}");
        var result = new Dictionary<string, object>(dict.Count);
        foreach (var kv in dict.Items)
        {
            if (kv.Key is not string key) throw Errors.TypeError("keywords must be strings");
            result[key] = kv.Value;
        }
        return result;
    }
}
