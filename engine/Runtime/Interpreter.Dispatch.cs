using System.Runtime.CompilerServices;
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
            Slot[] st;
            Slot[] lc;
            object result;
            if (error != null) goto HandleError;
            try
            {
            Reload:
                f = t.Top!;
                code = f.Code.Instructions;
                constants = f.Code.Constants;
                stack = f.Stack;
                locals = f.Locals;
                // The same arrays seen as structs: stores skip the covariance check every object[] store pays.
                st = Unsafe.As<Slot[]>(stack);
                lc = Unsafe.As<Slot[]>(locals);
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
                            st[sp++].V = constants[arg];
                            break;
                        case OpCode.LoadFast:
                            st[sp++].V = lc[arg].V ?? throw UnboundLocal(f.Code.LocalNames[arg]);
                            break;
                        case OpCode.StoreFast:
                            lc[arg].V = st[--sp].V;
                            break;
                        case OpCode.DeleteFast:
                            if (lc[arg].V == null) throw UnboundLocal(f.Code.LocalNames[arg]);
                            lc[arg].V = null!;
                            break;
                        case OpCode.LoadDeref:
                            st[sp++].V = f.Cells[arg].Value ?? throw UnboundCell(f.Code, arg);
                            break;
                        case OpCode.StoreDeref:
                            f.Cells[arg].Value = st[--sp].V;
                            break;
                        case OpCode.DeleteDeref:
                            if (f.Cells[arg].Value == null) throw UnboundCell(f.Code, arg);
                            f.Cells[arg].Value = null;
                            break;
                        case OpCode.LoadClosure:
                            st[sp++].V = f.Cells[arg];
                            break;
                        case OpCode.LoadGlobal:
                            {
                                var slot = f.Globals.Slots[arg] ??= f.Module.Globals.Slot(f.Code.Names[arg]);
                                st[sp++].V = slot.Value ?? f.Globals.Builtins[arg] ?? LoadBuiltin(f, arg);
                                break;
                            }
                        case OpCode.StoreGlobal:
                            (f.Globals.Slots[arg] ??= f.Module.Globals.Slot(f.Code.Names[arg])).Value = st[--sp].V;
                            break;
                        case OpCode.DeleteGlobal:
                            if (!f.Module.Globals.Remove(f.Code.Names[arg]))
                                throw Errors.NameError($"name '{f.Code.Names[arg]}' is not defined");
                            break;
                        case OpCode.LoadName:
                            {
                                var name = f.Code.Names[arg];
                                st[sp++].V = f.Namespace != null && f.Namespace.TryGetValue(name, out var v) ? v : LoadGlobal(f, name);
                                break;
                            }
                        case OpCode.StoreName:
                            if (f.Namespace != null) f.Namespace[f.Code.Names[arg]] = st[--sp].V;
                            else f.Module.Globals[f.Code.Names[arg]] = st[--sp].V;
                            break;
                        case OpCode.DeleteName:
                            if (!(f.Namespace != null ? f.Namespace.Remove(f.Code.Names[arg]) : f.Module.Globals.Remove(f.Code.Names[arg])))
                                throw Errors.NameError($"name '{f.Code.Names[arg]}' is not defined");
                            break;

                        case OpCode.LoadFastLoadFast:
                            st[sp++].V = lc[arg].V ?? throw UnboundLocal(f.Code.LocalNames[arg]);
                            arg = code[ip++] >> 8;
                            st[sp++].V = lc[arg].V ?? throw UnboundLocal(f.Code.LocalNames[arg]);
                            break;
                        case OpCode.LoadFastConstBinary:
                            {
                                var a = lc[arg].V ?? throw UnboundLocal(f.Code.LocalNames[arg]);
                                var b = constants[code[ip] >> 8];
                                int binary = code[ip + 1] >> 8;
                                ip += 2;
                                if (a is long x && b is long y)
                                {
                                    switch ((BinaryOperator)(binary & 0xFF))
                                    {
                                        case BinaryOperator.Add:
                                            {
                                                long r = x + y;
                                                if (((x ^ r) & (y ^ r)) >= 0)
                                                {
                                                    st[sp++].V = Boxes.Int(r);
                                                    continue;
                                                }
                                                break;
                                            }
                                        case BinaryOperator.Sub:
                                            {
                                                long r = x - y;
                                                if (((x ^ y) & (x ^ r)) >= 0)
                                                {
                                                    st[sp++].V = Boxes.Int(r);
                                                    continue;
                                                }
                                                break;
                                            }
                                        case BinaryOperator.Mod when y > 0:
                                            {
                                                long r = x % y;
                                                if (r < 0) r += y;
                                                st[sp++].V = Boxes.Int(r);
                                                continue;
                                            }
                                    }
                                }
                                if (a is PyInstance && Ops.HasUserBinary((BinaryOperator)(binary & 0xFF), a, b, (binary & 0x100) != 0))
                                {
                                    result = CallPrelude("_binary_op", a, b, Boxes.Int(binary & 0xFF), Boxes.Bool((binary & 0x100) != 0));
                                    goto Deliver;
                                }
                                st[sp++].V = Ops.Binary((BinaryOperator)(binary & 0xFF), a, b, inPlace: (binary & 0x100) != 0);
                                break;
                            }
                        case OpCode.CompareJumpIfFalse:
                            {
                                var b = st[--sp].V!;
                                var a = st[--sp].V!;
                                st[sp].V = null!;
                                st[sp + 1].V = null!;
                                int target = code[ip++] >> 8;
                                bool holds;
                                if (a is long x && b is long y)
                                {
                                    holds = arg switch
                                    {
                                        0 => x == y,
                                        1 => x != y,
                                        2 => x < y,
                                        3 => x <= y,
                                        4 => x > y,
                                        _ => x >= y,
                                    };
                                }
                                else if (Ops.HasUserCompare(arg, a, b))
                                {
                                    // The comparison runs as a frame; its result then meets the PopJumpIfFalse after it.
                                    ip--;
                                    result = CallPrelude("_compare_op", a, b, Boxes.Int(arg));
                                    goto Deliver;
                                }
                                else
                                {
                                    ip--; // errors are reported at the comparison
                                    var compared = a is PyList or PyTuple or PyDict ? CompareContainers(arg, a, b) : Ops.Compare(arg, a, b);
                                    if (compared is Frame)
                                    {
                                        result = compared;
                                        goto Deliver;
                                    }
                                    ip++;
                                    holds = compared is bool rb ? rb : Ops.Truthy(compared);
                                }
                                if (!holds) ip = target;
                                break;
                            }

                        case OpCode.PopTop:
                            st[--sp].V = null!;
                            break;
                        case OpCode.Copy:
                            st[sp].V = st[sp - arg].V;
                            sp++;
                            break;
                        case OpCode.Swap:
                            (st[sp - 1].V, st[sp - arg].V) = (st[sp - arg].V, st[sp - 1].V);
                            break;

                        case OpCode.BinaryOp:
                            {
                                var b = st[--sp].V;
                                var a = st[sp - 1].V;
                                if (a is long x && b is long y)
                                {
                                    switch ((BinaryOperator)(arg & 0xFF))
                                    {
                                        case BinaryOperator.Add:
                                            {
                                                long r = x + y;
                                                if (((x ^ r) & (y ^ r)) >= 0)
                                                {
                                                    st[sp - 1].V = Boxes.Int(r);
                                                    continue;
                                                }
                                                break;
                                            }
                                        case BinaryOperator.Sub:
                                            {
                                                long r = x - y;
                                                if (((x ^ y) & (x ^ r)) >= 0)
                                                {
                                                    st[sp - 1].V = Boxes.Int(r);
                                                    continue;
                                                }
                                                break;
                                            }
                                        case BinaryOperator.Mod when y > 0:
                                            {
                                                // Python's modulo takes the divisor's sign.
                                                long r = x % y;
                                                if (r < 0) r += y;
                                                st[sp - 1].V = Boxes.Int(r);
                                                continue;
                                            }
                                        case BinaryOperator.FloorDiv when y > 0:
                                            {
                                                long q = x / y;
                                                if (x % y < 0) q--;
                                                st[sp - 1].V = Boxes.Int(q);
                                                continue;
                                            }
                                        case BinaryOperator.Mult:
                                            {
                                                long high = Math.BigMul(x, y, out long r);
                                                if (high != r >> 63) break;
                                                st[sp - 1].V = Boxes.Int(r);
                                                continue;
                                            }
                                    }
                                }
                                else if (a is string sa && b is string sb && (arg & 0xFF) == (int)BinaryOperator.Add)
                                {
                                    st[sp - 1].V = ValueSize.Concat(sa, sb);
                                    continue;
                                }
                                else if (a is double p && b is double q)
                                {
                                    switch ((BinaryOperator)(arg & 0xFF))
                                    {
                                        case BinaryOperator.Add: st[sp - 1].V = p + q; continue;
                                        case BinaryOperator.Sub: st[sp - 1].V = p - q; continue;
                                        case BinaryOperator.Mult: st[sp - 1].V = p * q; continue;
                                        case BinaryOperator.Div when q != 0: st[sp - 1].V = p / q; continue;
                                    }
                                }
                                if ((a is PyInstance || b is PyInstance) && Ops.HasUserBinary((BinaryOperator)(arg & 0xFF), a!, b!, (arg & 0x100) != 0))
                                {
                                    st[sp].V = null!;
                                    st[--sp].V = null!;
                                    result = CallPrelude("_binary_op", a!, b!, Boxes.Int(arg & 0xFF), Boxes.Bool((arg & 0x100) != 0));
                                    goto Deliver;
                                }
                                if (a is PyList && (arg & 0x1FF) == ((int)BinaryOperator.Add | 0x100) && Builtins.Prelude.MayRunScript(b!))
                                {
                                    // lst += gen(): the prelude's _list_iadd reads the generator, channel or user iterator as frames.
                                    st[sp].V = null!;
                                    st[--sp].V = null!;
                                    result = CallPrelude("_list_iadd", a, b!);
                                    goto Deliver;
                                }
                                st[sp - 1].V = Ops.Binary((BinaryOperator)(arg & 0xFF), a, b, inPlace: (arg & 0x100) != 0);
                                break;
                            }
                        case OpCode.UnaryNegative:
                        case OpCode.UnaryPositive:
                        case OpCode.UnaryInvert:
                            if (st[sp - 1].V is PyInstance)
                            {
                                // A user __neg__, __pos__ or __invert__ runs as a frame.
                                result = UnaryOnInstance((OpCode)(ins & 0xFF), (PyInstance)st[sp - 1].V);
                                st[--sp].V = null!;
                                goto Deliver;
                            }
                            st[sp - 1].V = (OpCode)(ins & 0xFF) switch
                            {
                                OpCode.UnaryNegative => Ops.Negate(st[sp - 1].V),
                                OpCode.UnaryPositive => Ops.Positive(st[sp - 1].V),
                                _ => Ops.Invert(st[sp - 1].V),
                            };
                            break;
                        case OpCode.UnaryNot:
                            if (Ops.HasUserTruth(st[sp - 1].V))
                            {
                                result = CallPrelude("_not", st[sp - 1].V);
                                st[--sp].V = null!;
                                goto Deliver;
                            }
                            st[sp - 1].V = Ops.Truthy(st[sp - 1].V) ? Boxes.False : Boxes.True;
                            break;
                        case OpCode.CompareOp:
                            {
                                var b = st[--sp].V;
                                var a = st[sp - 1].V;
                                if (a is long x && b is long y)
                                {
                                    st[sp - 1].V = arg switch
                                    {
                                        0 => x == y,
                                        1 => x != y,
                                        2 => x < y,
                                        3 => x <= y,
                                        4 => x > y,
                                        _ => x >= y,
                                    } ? Boxes.True : Boxes.False;
                                }
                                else if (Ops.HasUserCompare(arg, a!, b!))
                                {
                                    st[sp].V = null!;
                                    st[--sp].V = null!;
                                    result = CallPrelude("_compare_op", a!, b!, Boxes.Int(arg));
                                    goto Deliver;
                                }
                                else if (a is PyList or PyTuple or PyDict)
                                {
                                    // Containers whose items may compare with user methods (then a prelude frame).
                                    result = CompareContainers(arg, a, b!);
                                    if (result is Frame)
                                    {
                                        st[sp].V = null!;
                                        st[--sp].V = null!;
                                        goto Deliver;
                                    }
                                    st[sp - 1].V = result;
                                }
                                else
                                {
                                    st[sp - 1].V = Ops.Compare(arg, a, b);
                                }
                                break;
                            }
                        case OpCode.IsOp:
                            {
                                var b = st[--sp].V;
                                var same = Ops.Is(st[sp - 1].V, b);
                                st[sp - 1].V = same != (arg == 1) ? Boxes.True : Boxes.False;
                                break;
                            }
                        case OpCode.Materialize:
                            {
                                var iterable = st[sp - 1].V!;
                                if (!Builtins.Prelude.MayRunScript(iterable))
                                {
                                    if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                    break;
                                }
                                st[--sp].V = null!;
                                f.Ip = ip;
                                f.Sp = sp;
                                PushFrame(t, f, (Frame)CallPrelude("_list", iterable));
                                if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                goto Reload;
                            }
                        case OpCode.ContainsOp:
                            {
                                if ((Builtins.Prelude.MayRunScript(st[sp - 1].V!) || st[sp - 1].V is PyIterator) && !Ops.HasUserContains(st[sp - 1].V!))
                                {
                                    // A generator, channel or iterator: search it as a prelude frame, which may block (or
                                    // call an item's __eq__ as a frame).
                                    var lazyContainer = st[--sp].V!;
                                    var item = st[--sp].V!;
                                    st[sp].V = null!;
                                    st[sp + 1].V = null!;
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    PushFrame(t, f, (Frame)CallPrelude("_contains", lazyContainer, item, Boxes.Bool(arg == 1)));
                                    if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                    goto Reload;
                                }
                                if (Ops.HasUserContains(st[sp - 1].V!))
                                {
                                    var userContainer = st[--sp].V!;
                                    var candidate = st[--sp].V!;
                                    st[sp].V = null!;
                                    st[sp + 1].V = null!;
                                    result = CallPrelude("_contains_user", userContainer, candidate, Boxes.Bool(arg == 1));
                                    goto Deliver;
                                }
                                var container = st[--sp].V;
                                var contained = ContainsInContainer(container, st[sp - 1].V, arg == 1);
                                if (contained is Frame)
                                {
                                    st[sp].V = null!;
                                    st[--sp].V = null!;
                                    result = contained;
                                    goto Deliver;
                                }
                                st[sp - 1].V = contained;
                                if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                break;
                            }

                        case OpCode.Jump:
                            ip = arg;
                            break;
                        case OpCode.JumpBackward:
                            if (--_budget <= 0)
                            {
                                // A preempted loop goes on at its head: that is the back-edge's resume site.
                                f.Sp = sp;
                                f.Ip = arg;
                                if (Pause(t, f, boundary, tick: true, reportAt: ip)) return;
                            }
                            ip = arg;
                            break;
                        case OpCode.PopJumpIfFalse:
                        case OpCode.PopJumpIfTrue:
                            {
                                var v = st[--sp].V;
                                bool truth;
                                if (v is bool b) truth = b;
                                else if (Ops.HasUserTruth(v))
                                {
                                    // __bool__ or __len__ runs as a frame; the jump runs again on its answer.
                                    ip--;
                                    result = CallPrelude("_truth", v);
                                    goto Deliver;
                                }
                                else truth = Ops.Truthy(v);
                                if (truth == ((OpCode)(ins & 0xFF) == OpCode.PopJumpIfTrue)) ip = arg;
                                break;
                            }
                        case OpCode.JumpIfFalseOrPop:
                        case OpCode.JumpIfTrueOrPop:
                            {
                                var v = st[sp - 1].V;
                                bool truth;
                                if (v is bool b) truth = b;
                                else if (v is PyTuple { Items.Length: 2 } answer && (ReferenceEquals(answer.Items[0], Builtins.BuiltinFunctions.TruthYes)
                                    || ReferenceEquals(answer.Items[0], Builtins.BuiltinFunctions.TruthNo)))
                                {
                                    // What _truth_marker returned: its answer and the value it judged, which `and` / `or` give.
                                    truth = ReferenceEquals(answer.Items[0], Builtins.BuiltinFunctions.TruthYes);
                                    st[sp - 1].V = answer.Items[1];
                                }
                                else if (Ops.HasUserTruth(v))
                                {
                                    // __bool__ or __len__ runs as a frame; this instruction runs again on its answer.
                                    st[--sp].V = null!;
                                    ip--;
                                    result = CallPrelude("_truth_marker", v);
                                    goto Deliver;
                                }
                                else truth = Ops.Truthy(v);
                                if (truth == ((OpCode)(ins & 0xFF) == OpCode.JumpIfTrueOrPop)) ip = arg;
                                else sp--;
                                break;
                            }

                        case OpCode.CloseIterator:
                            // A `for` loop left early (break, return, exception): it closes a generator
                            // only it could reach, running its finally blocks now, as CPython does when
                            // the loop drops the last reference.
                            if (st[sp - 1].V is PyGenerator { Unshared: true, Finished: false } owned)
                            {
                                if (owned.Started)
                                {
                                    st[--sp].V = null!;
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    PushFrame(t, f, PrepareResume(owned, ReturnKind.Close));
                                    f = t.Top!;
                                    error = new PyException(ExceptionTypes.GeneratorExit, PyTuple.Empty);
                                    addTraceback = false;
                                    goto HandleError;
                                }
                                owned.Finished = true;
                            }
                            st[sp - 1].V = PyNone.Value;
                            break;

                        case OpCode.GetIter:
                            {
                                var iterable = st[sp - 1].V;
                                if (iterable is PyInstance { } ii && ii.Class.TryLookup("__iter__", out var iterMethod) && iterMethod is PyFunction iterFn)
                                {
                                    // __iter__ runs as a frame whose result replaces the object on the stack.
                                    st[--sp].V = null!;
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    var made = Invoke(iterFn, new object[] { ii }, null);
                                    if (made is Frame iterFrame)
                                    {
                                        PushFrame(t, f, iterFrame);
                                        if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                        goto Reload;
                                    }
                                    st[sp++].V = made; // a generator: __iter__ written with yield
                                    if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                    break;
                                }
                                st[sp - 1].V = GetIterator(iterable);
                                if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                break;
                            }
                        case OpCode.ForIter:
                        case OpCode.ForIterYieldFrom:
                            {
                                var it = st[sp - 1].V;
                                bool yieldFrom = (OpCode)(ins & 0xFF) == OpCode.ForIterYieldFrom;
                                if (it is PyIterator pi)
                                {
                                    if (pi.MoveNext(out var v))
                                    {
                                        st[sp++].V = v;
                                        if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                    }
                                    else ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom);
                                    break;
                                }
                                if (it is PyGenerator g)
                                {
                                    if (g.Finished)
                                    {
                                        ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom);
                                        break;
                                    }
                                    f.Ip = ip;
                                    f.Sp = sp;
                                    ResumeGenerator(t, f, g, yieldFrom ? ReturnKind.YieldFrom : ReturnKind.ForIter);
                                    if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                    goto Reload;
                                }
                                f.Ip = ip;
                                f.Sp = sp;
                                if (it is PyInstance ni && Ops.FindUserMethod(ni, "__next__", out var nextMethod) && nextMethod is PyFunction nextFn)
                                {
                                    var nf = (Frame)Invoke(nextFn, new object[] { ni }, null);
                                    nf.ReturnKind = ReturnKind.ForIterNext;
                                    PushFrame(t, f, nf);
                                    if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                    goto Reload;
                                }
                                if (it is ChannelIterator ci)
                                {
                                    var received = ci.Channel.Receive(this, ReceiveMode.Loop);
                                    if (received == Suspended) return;
                                    if (received == PyChannel.EndOfIteration) ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom);
                                    else
                                    {
                                        st[sp++].V = received;
                                        if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                    }
                                    break;
                                }
                                if (NextOfObject(it, out var value))
                                {
                                    st[sp++].V = value;
                                    if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                }
                                else ExhaustLoop(stack, ref sp, ref ip, arg, yieldFrom);
                                break;
                            }

                        case OpCode.BuildList:
                            {
                                var items = new List<object>(Math.Max(arg, 4));
                                for (int i = sp - arg; i < sp; i++) items.Add(st[i].V);
                                sp -= arg;
                                st[sp++].V = new PyList(items);
                                break;
                            }
                        case OpCode.BuildTuple:
                            {
                                if (arg == 0)
                                {
                                    st[sp++].V = PyTuple.Empty;
                                    break;
                                }
                                var items = new object[arg];
                                Array.Copy(stack, sp - arg, items, 0, arg);
                                sp -= arg;
                                st[sp++].V = new PyTuple(items);
                                break;
                            }
                        case OpCode.BuildDict:
                            {
                                var built = BuildDict(st, sp - 2 * arg, arg);
                                for (int i = sp - 2 * arg; i < sp; i++) st[i].V = null!;
                                sp -= 2 * arg;
                                if (built is Frame)
                                {
                                    // A key with a user __hash__ or __eq__: the prelude's _build_dict stores the pairs as frames.
                                    result = built;
                                    goto Deliver;
                                }
                                st[sp++].V = built;
                                break;
                            }
                        case OpCode.BuildSlice:
                            {
                                var step = arg == 3 ? st[--sp].V : PyNone.Value;
                                var upper = st[--sp].V;
                                st[sp - 1].V = new PySlice(st[sp - 1].V, upper, step);
                                break;
                            }
                        case OpCode.BuildString:
                            {
                                var parts = new string[arg];
                                long length = 0;
                                for (int i = 0; i < arg; i++) length += (parts[i] = (string)st[sp - arg + i].V).Length;
                                ValueSize.EnsureChars(length);
                                sp -= arg;
                                st[sp++].V = string.Concat(parts);
                                break;
                            }
                        case OpCode.ListExtend:
                            {
                                var iterable = st[--sp].V;
                                Ops.Extend(((PyList)st[sp - 1].V).Items, iterable);
                                break;
                            }
                        case OpCode.ListToTuple:
                            st[sp - 1].V = new PyTuple(((PyList)st[sp - 1].V).Items.ToArray());
                            break;
                        case OpCode.DictMerge:
                            {
                                var mapping = st[--sp].V;
                                if (mapping is not PyDict source)
                                    throw Errors.TypeError($"'{Ops.TypeName(mapping)}' object is not a mapping");
                                var target = (PyDict)st[sp - 1].V;
                                foreach (var kv in source.Items)
                                {
                                    if (arg == 1 && target.ContainsKey(kv.Key))
                                        throw Errors.TypeError($"{CallableName(st[sp - 3].V)}() got multiple values for keyword argument '{Ops.Str(kv.Key)}'");
                                    target.Set(kv.Key, kv.Value);
                                }
                                break;
                            }
                        case OpCode.ListAppend:
                            {
                                var v = st[--sp].V;
                                var items = ((PyList)st[sp - arg].V).Items;
                                ValueSize.EnsureGrowth(items.Count + 1, ValueSize.BytesPerItem);
                                items.Add(v);
                                break;
                            }
                        case OpCode.DictSet:
                            {
                                var v = st[--sp].V;
                                if (ReferenceEquals(v, Builtins.BuiltinFunctions.SubscrDone))
                                {
                                    st[--sp].V = null!; // _setitem stored the pair
                                    break;
                                }
                                var k = st[--sp].V;
                                var display = (PyDict)st[sp - arg].V;
                                if (k is string or long && display.KeysCompareWithoutScript) display.Set(k, v);
                                else if (!StoredWithoutScript(display, k, v))
                                {
                                    // A key with a user __hash__ or __eq__: stored by the prelude's _setitem as frames, then
                                    // this instruction runs again on the key and the marker it returns.
                                    sp++;
                                    ip--;
                                    result = CallPrelude("_setitem", display, k!, v!);
                                    goto Deliver;
                                }
                                break;
                            }
                        case OpCode.FormatValue:
                            {
                                var spec = (arg & 4) != 0 ? (string)st[--sp].V : "";
                                var v = st[sp - 1].V;
                                if (v is not (string or long or double or bool or PyNone))
                                {
                                    // A value that may hold user __str__, __repr__ or __format__ methods: formatted with them
                                    // refused, or by the prelude's _format_value as frames.
                                    var formatted = FormatField(v, arg & 3, spec);
                                    if (formatted is Frame)
                                    {
                                        st[--sp].V = null!;
                                        result = formatted;
                                        goto Deliver;
                                    }
                                    st[sp - 1].V = formatted;
                                    break;
                                }
                                v = (arg & 3) switch
                                {
                                    1 => Ops.Str(v),
                                    2 => Ops.Repr(v),
                                    3 => Ops.Ascii(v),
                                    _ => v,
                                };
                                st[sp - 1].V = v is string s && spec.Length == 0 ? s : Ops.Format(v, spec);
                                break;
                            }

                        case OpCode.UnpackSequence:
                            {
                                var seq = st[--sp].V;
                                var items = Ops.UnpackItems(seq, arg);
                                for (int i = arg - 1; i >= 0; i--) st[sp++].V = items[i];
                                break;
                            }
                        case OpCode.UnpackEx:
                            {
                                int before = arg & 0xFF, after = arg >> 8;
                                var items = Ops.ToList(st[--sp].V);
                                if (items.Count < before + after)
                                    throw Errors.ValueError($"not enough values to unpack (expected at least {before + after}, got {items.Count})");
                                for (int i = items.Count - 1; i >= items.Count - after; i--) st[sp++].V = items[i];
                                st[sp++].V = new PyList(items.GetRange(before, items.Count - before - after));
                                for (int i = before - 1; i >= 0; i--) st[sp++].V = items[i];
                                break;
                            }

                        case OpCode.LoadAttr:
                            f.Ip = ip;
                            f.Sp = sp;
                            st[sp - 1].V = Ops.GetAttr(st[sp - 1].V, f.Code.Names[arg]);
                            break;
                        case OpCode.StoreAttr:
                            {
                                var obj = st[--sp].V;
                                var v = st[--sp].V;
                                Ops.SetAttr(obj, f.Code.Names[arg], v);
                                break;
                            }
                        case OpCode.DeleteAttr:
                            Ops.DelAttr(st[--sp].V, f.Code.Names[arg]);
                            break;
                        case OpCode.BinarySubscr:
                            {
                                var key = st[--sp].V;
                                var container = st[sp - 1].V;
                                if (container is PyList list && key is long index)
                                {
                                    var count = list.Items.Count;
                                    if (index < 0) index += count;
                                    if ((ulong)index >= (ulong)count) throw Errors.IndexError("list index out of range");
                                    st[sp - 1].V = list.Items[(int)index];
                                    break;
                                }
                                if (container is PyInstance gi && Ops.FindUserMethod(gi, "__getitem__", out var getitem))
                                {
                                    // A user __getitem__ runs as a frame: it may block.
                                    st[sp].V = null!;
                                    st[--sp].V = null!;
                                    result = Invoke(Ops.Bind(gi, getitem), new[] { key! }, null);
                                    goto Deliver;
                                }
                                f.Ip = ip;
                                f.Sp = sp;
                                if (container is PyDict plainDict && key is string or long && plainDict.KeysCompareWithoutScript)
                                {
                                    st[sp - 1].V = plainDict.TryGetValue(key, out var found) ? found : throw Errors.KeyError(key);
                                    break;
                                }
                                if (container is PyDict)
                                {
                                    // A key whose __hash__ or __eq__ is a user method: the lookup runs as prelude frames.
                                    var got = GetDictItem(container, key);
                                    if (got is Frame)
                                    {
                                        st[sp].V = null!;
                                        st[--sp].V = null!;
                                        result = got;
                                        goto Deliver;
                                    }
                                    st[sp - 1].V = got;
                                    break;
                                }
                                st[sp - 1].V = Ops.GetItem(container, key);
                                break;
                            }
                        case OpCode.StoreSubscr:
                            {
                                var key = st[--sp].V;
                                var container = st[--sp].V;
                                var v = st[--sp].V;
                                if (container is PyDict plainDict && key is string or long && plainDict.KeysCompareWithoutScript)
                                {
                                    plainDict.Set(key, v);
                                    break;
                                }
                                if (ReferenceEquals(key, Builtins.BuiltinFunctions.SubscrDone)) break; // _setitem did it
                                if (container is PyInstance or PyDict)
                                {
                                    if (StoredWithoutScript(container, key, v)) break;
                                    // The prelude's _setitem runs the user methods as frames, then this instruction runs
                                    // again with its marker in place of the key, and does nothing more.
                                    sp += 2;
                                    ip--;
                                    result = CallPrelude("_setitem", container, key, v);
                                    goto Deliver;
                                }
                                Ops.SetItem(container, key, v);
                                break;
                            }
                        case OpCode.DeleteSubscr:
                            {
                                var key = st[--sp].V;
                                var container = st[--sp].V;
                                if (ReferenceEquals(key, Builtins.BuiltinFunctions.SubscrDone)) break; // _delitem did it
                                if (container is PyInstance or PyDict)
                                {
                                    if (DeletedWithoutScript(container, key)) break;
                                    sp++;
                                    ip--;
                                    result = CallPrelude("_delitem", container, key);
                                    goto Deliver;
                                }
                                Ops.DelItem(container, key);
                                break;
                            }

                        case OpCode.Call:
                            {
                                var callable = st[sp - arg - 1].V!;
                                int count = arg;
                                if (callable is BoundMethod bm)
                                {
                                    // Put self where the callable was, so it reads as the first argument.
                                    callable = bm.Function;
                                    st[sp - arg - 1].V = bm.Self;
                                    count++;
                                }
                                if (callable is PyFunction fn && IsSimpleCall(fn.Code, count))
                                {
                                    result = SimpleCall(fn, stack, ref sp, count, arg + 1);
                                }
                                else
                                {
                                    var args = TakeArguments(stack, ref sp, count, arg + 1);
                                    result = Invoke(callable, args, null);
                                }
                                goto Deliver;
                            }
                        case OpCode.LoadMethod:
                            {
                                var obj = st[sp - 1].V;
                                var name = f.Code.Names[arg];
                                if (obj is PyInstance inst)
                                {
                                    if (inst.Class.TryLookup(name, out var attr) && attr is PyFunction method && !inst.Attributes.ContainsKey(name))
                                    {
                                        st[sp - 1].V = method;
                                        st[sp++].V = inst;
                                        break;
                                    }
                                }
                                else if (obj is not (PyClass or PyModule or PySuper))
                                {
                                    var type = BuiltinTypes.TypeOf(obj!);
                                    var cache = f.Code.MethodCache ??= new NativeMethodCacheEntry?[f.Code.Names.Length];
                                    var entry = cache[arg];
                                    if (entry == null || entry.Type != type)
                                    {
                                        if (type.NativeMethods is { } natives && natives.TryGetValue(name, out var found))
                                            cache[arg] = entry = new NativeMethodCacheEntry(type, found);
                                        else
                                            entry = null;
                                    }
                                    if (entry != null)
                                    {
                                        st[sp - 1].V = entry.Method;
                                        st[sp++].V = obj;
                                        break;
                                    }
                                }
                                f.Ip = ip;
                                f.Sp = sp;
                                st[sp - 1].V = Ops.GetAttr(obj, name);
                                st[sp++].V = NoSelf.Value;
                                break;
                            }
                        case OpCode.CallMethod:
                            {
                                var self = st[sp - arg - 1].V!;
                                var callable = st[sp - arg - 2].V!;
                                bool hasSelf = self != NoSelf.Value;
                                int count = hasSelf ? arg + 1 : arg;
                                if (hasSelf && callable is PyFunction fn && IsSimpleCall(fn.Code, count))
                                {
                                    result = SimpleCall(fn, stack, ref sp, count, arg + 2);
                                }
                                else if (hasSelf && callable is NativeMethod nm)
                                {
                                    var args = TakeArguments(stack, ref sp, arg, arg + 2);
                                    result = nm(self, args, null);
                                }
                                else
                                {
                                    var args = TakeArguments(stack, ref sp, count, arg + 2);
                                    result = Invoke(callable, args, null);
                                }
                                goto Deliver;
                            }
                        case OpCode.CallKw:
                            {
                                var names = ((PyTuple)st[--sp].V).Items;
                                var callable = st[sp - arg - 1].V;
                                int positional = arg - names.Length;
                                var args = new object[positional];
                                Array.Copy(stack, sp - arg, args, 0, positional);
                                var kwargs = new Dictionary<string, object>(names.Length);
                                for (int i = 0; i < names.Length; i++) kwargs[(string)names[i]] = st[sp - names.Length + i].V;
                                sp -= arg + 1;
                                Array.Clear(stack, sp, arg + 1);
                                f.Ip = ip;
                                f.Sp = sp;
                                result = Invoke(callable, args, kwargs);
                                goto Deliver;
                            }
                        case OpCode.CallEx:
                            {
                                Dictionary<string, object>? kwargs = null;
                                if (arg == 1) kwargs = KeywordArguments(st[--sp].V);
                                var args = ((PyTuple)st[--sp].V).Items;
                                var callable = st[--sp].V;
                                f.Ip = ip;
                                f.Sp = sp;
                                result = Invoke(callable, args, kwargs);
                                goto Deliver;
                            }
                        case OpCode.MakeFunction:
                            {
                                var fcode = (CodeObject)st[--sp].V;
                                var closure = (arg & 4) != 0 ? ((PyTuple)st[--sp].V).Items.Select(c => (Cell)c).ToArray() : Array.Empty<Cell>();
                                Dictionary<string, object>? kwDefaults = null;
                                if ((arg & 2) != 0)
                                {
                                    kwDefaults = new Dictionary<string, object>();
                                    foreach (var kv in ((PyDict)st[--sp].V).Items) kwDefaults[(string)kv.Key] = kv.Value;
                                }
                                var defaults = (arg & 1) != 0 ? ((PyTuple)st[--sp].V).Items : Array.Empty<object>();
                                st[sp++].V = new PyFunction(fcode, f.Module, defaults, kwDefaults, closure);
                                break;
                            }
                        case OpCode.BuildClass:
                            {
                                var bases = (PyTuple)st[--sp].V;
                                var name = (string)st[--sp].V;
                                var body = (PyFunction)st[--sp].V;
                                f.Ip = ip;
                                f.Sp = sp;
                                var nf = new Frame(body.Code, body.Module, body.Closure, body.Globals)
                                {
                                    Namespace = new Dictionary<string, object>(),
                                    ReturnKind = ReturnKind.ClassBody,
                                    Extra = PyTuple.Of(name, bases),
                                };
                                PushFrame(t, f, nf);
                                if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                goto Reload;
                            }
                        case OpCode.ReturnValue:
                            {
                                var returned = st[--sp].V!;
                                if (f.ReturnKind == ReturnKind.Call && f.Generator == null && f != boundary && f.Parent is { } caller)
                                {
                                    // The common case, a plain call returning to its caller.
                                    caller.Stack[caller.Sp++] = returned;
                                    t.Top = caller;
                                    f.Function?.Recycle(f);
                                    goto Reload;
                                }
                                f.Sp = sp;
                                f.Ip = ip;
                                if (ReturnFrom(t, f, returned, boundary, out error)) return;
                                if (error != null)
                                {
                                    f = t.Top!;
                                    goto HandleError;
                                }
                                goto Reload;
                            }
                        case OpCode.YieldValue:
                            {
                                var v = st[--sp].V;
                                f.Ip = ip;
                                f.Sp = sp;
                                var parent = f.Parent!;
                                f.Parent = null;
                                f.Generator!.Running = false;
                                LeaveGenerator(t, f.Generator);
                                t.Top = parent;
                                if (f == boundary)
                                {
                                    _nestedYielded = true;
                                    _nestedResult = v;
                                    return;
                                }
                                if (f.ReturnKind == ReturnKind.Close)
                                {
                                    // It caught GeneratorExit and yielded again: CPython reports this as unraisable
                                    // and drops the generator; the loop goes on after its CloseIterator.
                                    UnraisableException?.Invoke(t, Errors.RuntimeError("generator ignored GeneratorExit").Exception);
                                    parent.Stack[parent.Sp++] = PyNone.Value;
                                    if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                    goto Reload;
                                }
                                parent.Stack[parent.Sp++] = v;
                                if (_stopAtSafePoints && PauseAfterPush(t, boundary)) return;
                                goto Reload;
                            }
                        case OpCode.Await:
                            {
                                f.Ip = ip;
                                f.Sp = sp;
                                var awaited = AwaitValue(st[sp - 1].V);
                                if (awaited == Suspended)
                                {
                                    st[--sp].V = null!;
                                    f.Sp = sp;
                                    return;
                                }
                                st[sp - 1].V = awaited;
                                if (_stopAtSafePoints && PauseAfter(t, f, ip, sp, boundary)) return;
                                break;
                            }

                        case OpCode.RaiseVarargs:
                            f.Ip = ip;
                            if (arg == 0)
                            {
                                error = t.HandledException ?? Errors.RuntimeError("No active exception to reraise").Exception;
                                addTraceback = t.HandledException == null;
                            }
                            else if (st[sp - arg].V is PyClass { IsException: true } raisedClass && raisedClass.TryLookup("__init__", out var init) && init is PyFunction)
                            {
                                // `raise Cls` whose __init__ is script: the prelude's _raise_new makes the exception
                                // as a frame (it may block) and raises it. The site is this instruction, with the
                                // class (and the cause) the frame's return would stand for (SiteKinds.ResumesAtItself).
                                var cause = arg == 2 ? st[--sp].V : PyNone.Value;
                                if (arg == 1) st[--sp].V = null!;
                                ip--;
                                result = CallPrelude("_raise_new", raisedClass, Boxes.Bool(arg == 2), cause);
                                goto Deliver;
                            }
                            else
                            {
                                var cause = arg == 2 ? st[--sp].V : null;
                                error = MakeRaisable(st[--sp].V);
                                if (cause != null)
                                {
                                    error.Cause = cause is PyNone ? null
                                        : cause is PyException or PyClass { IsException: true } ? MakeRaisable(cause)
                                        : throw Errors.TypeError("exception causes must derive from BaseException");
                                    error.SuppressContext = true;
                                }
                            }
                            goto HandleError;
                        case OpCode.Reraise:
                            f.Ip = ip;
                            error = (PyException)st[--sp].V;
                            addTraceback = false;
                            goto HandleError;
                        case OpCode.PushExcInfo:
                            {
                                var exc = st[sp - 1].V;
                                st[sp - 1].V = (object?)t.HandledException ?? PyNone.Value;
                                st[sp++].V = exc;
                                t.HandledException = (PyException)exc;
                                break;
                            }
                        case OpCode.PopExcept:
                            t.HandledException = st[--sp].V as PyException;
                            break;
                        case OpCode.CheckExcMatch:
                            {
                                var type = st[--sp].V;
                                var matches = Ops.ExceptionMatches((PyException)st[sp - 1].V, type);
                                st[sp++].V = matches ? Boxes.True : Boxes.False;
                                break;
                            }

                        case OpCode.ImportName:
                            {
                                result = Import(f.Code.Names[arg]);
                                goto Deliver;
                            }
                        case OpCode.ImportFrom:
                            {
                                var module = (PyModule)st[sp - 1].V;
                                var name = f.Code.Names[arg];
                                st[sp++].V = module.Globals.TryGetValue(name, out var v) ? v
                                    : throw Errors.New(ExceptionTypes.ImportError, $"cannot import name '{name}' from '{module.Name}' ({module.FileName})");
                                break;
                            }
                        case OpCode.RaiseAssertion:
                            f.Ip = ip;
                            error = arg == 1
                                ? new PyException(ExceptionTypes.AssertionError, PyTuple.Of(st[--sp].V))
                                : new PyException(ExceptionTypes.AssertionError, PyTuple.Empty);
                            goto HandleError;
                        default:
                            throw new InvalidOperationException($"unknown opcode {ins & 0xFF} in {f.Code.QualifiedName}");
                    }
                    continue;

                // The outcome of a call-like instruction: a frame to run, a parked tasklet, or a value.
                Deliver:
                    f.Ip = ip;
                    f.Sp = sp;
                    if (result is Frame frame)
                    {
                        PushFrame(t, f, frame);
                        // Preemption and stops at safe points come after the call, so the tasklet stops at a resume site.
                        if (--_budget <= 0 && Pause(t, f, boundary, tick: true, reportAt: ip)) return;
                        goto Reload;
                    }
                    if (result == Suspended) return;
                    // A new generator stays the loop's own only when this call is the iterable of a `for` (GetIter 1).
                    if (result is PyGenerator { Unshared: true } fresh && code[ip] != OwningGetIter) fresh.Unshared = false;
                    st[sp++].V = result;
                    if (--_budget <= 0)
                    {
                        f.Sp = sp;
                        if (Pause(t, f, boundary, tick: true, reportAt: ip)) return;
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

    /// <summary>
    /// Calls [fn] with the [count] values on top of the stack as its arguments, binding them straight
    /// to its slots; pops [slots] stack slots (arguments plus callable). Returns the new frame, or
    /// the generator when fn is a generator function.
    /// </summary>
    private static object SimpleCall(PyFunction fn, object[] stack, ref int sp, int count, int slots)
    {
        var frame = fn.NewFrame();
        var locals = frame.Locals;
        for (int i = 0, from = sp - count; i < count; i++) locals[i] = stack[from + i];
        InitCellParameters(frame);
        for (int i = sp - slots; i < sp; i++) stack[i] = null!;
        sp -= slots;
        if (!fn.Code.IsGenerator) return frame;
        var gen = new PyGenerator(frame) { Unshared = true };
        frame.Generator = gen;
        return gen;
    }

    /// <summary>Copies the [count] values on top of the stack as an argument array, then pops [slots] slots.</summary>
    private static object[] TakeArguments(object[] stack, ref int sp, int count, int slots)
    {
        var args = count == 0 ? Array.Empty<object>() : new object[count];
        Array.Copy(stack, sp - count, args, 0, count);
        sp -= slots;
        Array.Clear(stack, sp, slots);
        return args;
    }

    /// <summary>A call whose arguments can be copied straight into the new frame's slots.</summary>
    private static bool IsSimpleCall(CodeObject code, int argCount) =>
        argCount == code.PositionalCount && code.KwOnlyCount == 0 && !code.HasVarArgs && !code.HasVarKeywords;

    private static void InitCellParameters(Frame frame)
    {
        var slots = frame.Code.CellParameterSlots;
        for (int i = 0; i < slots.Length; i++)
            if (slots[i] >= 0) frame.Cells[i].Value = frame.Locals[slots[i]];
    }

    /// <summary>GetIter's argument for `for x in call(...):`, whose loop may own the generator the call makes (PyGenerator.Unshared).</summary>
    internal const int OwningGetIterArg = 1;
    private const int OwningGetIter = (int)OpCode.GetIter | (OwningGetIterArg << 8);

    private void PushFrame(Tasklet t, Frame caller, Frame callee)
    {
        if (!callee.Link(caller, Options.MaxDepth))
        {
            callee.Parent = null;
            throw Errors.New(ExceptionTypes.RecursionError, "maximum recursion depth exceeded");
        }
        t.Top = callee;
    }

    /// <summary>
    /// Ends a for loop (pops the iterator and jumps to [target]); for `yield from` over a non-generator
    /// the expression's value, None, takes the iterator's place. (A generator's return value is
    /// delivered by ReturnFrom instead.)
    /// </summary>
    private static void ExhaustLoop(object[] stack, ref int sp, ref int ip, int target, bool yieldFrom)
    {
        if (yieldFrom) stack[sp - 1] = PyNone.Value;
        else stack[--sp] = null!;
        ip = target;
    }

    /// <summary>
    /// Called at a safe point once its work is done and [f]'s Ip and Sp are saved. With [tick] it
    /// spends the preemption budget (and counts towards MaxTicks). Returns true when the loop must
    /// return to the scheduler: the tasklet was preempted (and queued behind the others), or the run
    /// stops at safe points (StopAtSafePoints) and the caller may pickle the instance here (the same
    /// tasklet runs on afterwards). Neither happens inside a nested run, whose C# caller is not
    /// picklable state.
    /// </summary>
    /// <remarks>[reportAt] is the position the MaxTicks error names.</remarks>
    private bool Pause(Tasklet t, Frame f, Frame? boundary, bool tick, int reportAt)
    {
        bool preempt = false;
        if (tick)
        {
            // When stopping at safe points every tick comes here (_budget stays 0); _realBudget counts the real budget.
            if (!_stopAtSafePoints || --_realBudget <= 0) preempt = SpendBudget(f, reportAt);
            if (_stopAtSafePoints) _budget = 0;
        }
        if (boundary != null || _nestedDepth > 0) return false;
        if (preempt && _runQueue.Count > 0)
        {
            _runQueue.Enqueue(t);
            _pausedAtSafePoint = _stopAtSafePoints || _sliceOver;
            return true;
        }
        if (!_stopAtSafePoints && !_sliceOver) return false;
        _pausedAtSafePoint = true;
        _continuing = t;
        return true;
    }

    /// <summary>A stop after a safe point that pushed a value on [f] (or left it at [ip]/[sp]).</summary>
    private bool PauseAfter(Tasklet t, Frame f, int ip, int sp, Frame? boundary)
    {
        f.Ip = ip;
        f.Sp = sp;
        return Pause(t, f, boundary, tick: false, reportAt: ip);
    }

    /// <summary>A stop after a safe point that pushed a frame (or resumed a caller after a yield).</summary>
    private bool PauseAfterPush(Tasklet t, Frame? boundary) => Pause(t, t.Top!, boundary, tick: false, reportAt: t.Top!.Ip);

    /// <summary>A preemption budget is used up: counts it towards MaxTicks and starts a new one. True when the tasklet should yield.</summary>
    private bool SpendBudget(Frame f, int reportAt)
    {
        int resumeAt = f.Ip;
        f.Ip = reportAt;
        if (_stopAtSafePoints) _realBudget = Options.PreemptionTicks;
        else _budget = Options.PreemptionTicks;
        _ticks += Options.PreemptionTicks;
        if (Options.MaxTicks > 0 && _ticks > Options.MaxTicks)
            throw new ExecutionLimitExceeded(Options.MaxTicks, $"{f.Code.FileName}:{f.CurrentLine} in {f.Code.Name}");
        CheckDeadline();
        CheckSlice();
        f.Ip = resumeAt;
        return true;
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
