#!/usr/bin/env python3
"""Reference implementation (the oracle) of the workflow language's stackless additions.

Usage:  python3 stackless_ref.py PROGRAM.wf [--input JSON]

It runs PROGRAM.wf on CPython 3.11 with spawn / await / channel / schedule added, and prints
what the program prints.  The expected outputs of tests/conformance/stackless/*.wf are made
with it (see regen.sh), so the C# VM must match the semantics below exactly.  Plain Python
programs (tests/conformance/python/) give the same output here as under python3.

SEMANTICS IMPLEMENTED
=====================

Loading
  L1. The source is parsed with ast.parse (which accepts `await` anywhere), every
      `await X` expression becomes the call `__await__(X)` (same line/column), and the module
      is compiled with the .wf path as its file name and executed in a fresh globals dict
      holding the stackless builtins: spawn, channel, schedule, __await__,
      ChannelClosedError, DeadlockError.
  L2. Entry point: the top-level code runs first.  Then, if the module defines `main`,
      main(input) is called with one positional argument: the decoded JSON of --input if
      given, else of the file <name>.input.json beside the program if it exists, else None.
      If main returns something other than None, json.dumps(result) (default settings) is
      printed on its own line, after everything the program printed.
  L3. Exit status: 0 when the main tasklet finishes (top-level code and main) normally,
      whatever happened to spawned tasklets.  An exception escaping the main tasklet prints a
      CPython traceback on stderr and exits 1 (the conformance corpus never does that; tracebacks
      are tested elsewhere).  A deadlock exits 1 (see D1).

Tasklets and the run queue
  T1. Tasklet ids: the main tasklet is 1; spawned tasklets are numbered 2, 3, ... in spawn
      order.  Exactly one tasklet runs at a time.  The run queue is a FIFO of runnable
      tasklets that are not the current one.
  T2. spawn(f, *args, **kw) creates a tasklet that will call f(*args, **kw), appends it to
      the end of the run queue and returns its handle; the caller keeps running.  Nothing
      of f runs until the new tasklet is taken from the queue.  spawn of a non-callable raises
      TypeError.
  T3. When the current tasklet blocks (a channel operation that cannot complete, or await on
      an unfinished tasklet), it leaves the run queue and the tasklet at the head of the queue
      runs.  If the queue is empty, that is a deadlock (D1).
  T4. An operation that unblocks a waiting tasklet (a send meeting a waiting receiver, a
      receive meeting a waiting sender or taking from a full buffer that has waiting senders,
      close() waking receivers, a tasklet finishing while others await it) appends the woken
      tasklet to the END of the run queue; the current tasklet keeps running.  (Stackless
      Python's default channel preference is -1, "switch to the receiver at once"; the
      language instead specifies preference 0: nobody switches, the woken one is appended.)
  T5. schedule() appends the current tasklet to the end of the run queue and runs the head
      of the queue.  With an empty run queue it returns at once (the current tasklet is the
      only runnable one).
  T6. When a spawned tasklet's function returns or raises, the tasklet is finished: its
      return value or exception is kept in its handle, every tasklet awaiting it is appended
      to the run queue (in the order they started awaiting), and the head of the queue runs.
      An exception escaping a spawned tasklet is not printed anywhere and does not fail the
      program; only `await` observes it.
  T7. When the main tasklet finishes (after main returns), the program ends at once; the
      other tasklets, runnable or blocked, are discarded without running again (their
      `finally` blocks do NOT run).

Await
  A1. `await h` where h is a tasklet handle: if the tasklet has finished, it returns its
      return value, or raises its exception (the same exception object, each time it is
      awaited), without blocking or switching.  Otherwise the current tasklet blocks
      ("on await") until the awaited tasklet finishes (T6), then returns or raises likewise.
  A2. A handle may be awaited any number of times, by any number of tasklets.
  A3. `await` of anything that is not a tasklet handle raises
      TypeError("object of type 'T' can't be awaited") (futures such as activity/sleep do not
      exist in this oracle).  A tasklet awaiting its own handle raises
      RuntimeError('a tasklet cannot await itself').

Channels
  C1. channel() and channel(0) are unbuffered; channel(n) with n >= 1 holds up to n values.
      A capacity that is not a non-negative int raises ValueError.  A channel keeps a FIFO
      buffer, a FIFO of waiting senders (each with its value) and a FIFO of waiting
      receivers.  Values are passed by reference (no copy).
  C2. ch.send(v), in order:
        - if the channel is closed: raise ChannelClosedError('send on closed channel');
        - if a receiver is waiting: the oldest waiting receiver gets v and is appended to the
          run queue; the sender keeps running;
        - if the buffer holds fewer than capacity values: v is appended to the buffer; the
          sender keeps running;
        - else the sender blocks ("on send") in the senders FIFO with v, until a receiver takes
          v (then it is appended to the run queue, T4).  send returns None.
  C3. ch.receive(), in order:
        - if the buffer is not empty: take its oldest value; if senders are waiting (the buffer
          was full), the oldest waiting sender's value is appended to the buffer and that
          sender is appended to the run queue; return the value;
        - if a sender is waiting (unbuffered channel): take the oldest waiting sender's value,
          append that sender to the run queue, return the value;
        - if the channel is closed: raise ChannelClosedError('receive on closed channel');
        - else the receiver blocks ("on receive") in the receivers FIFO until a sender hands it
          a value (C2) or the channel is closed (C4).
  C4. ch.close() marks the channel closed and wakes every waiting receiver, oldest first,
      appending each to the run queue; each of them then raises
      ChannelClosedError('receive on closed channel').  Values already in the buffer, and the
      values of senders that were already blocked in send when close() was called, stay
      receivable (as Stackless Python's "closing" state: a closed channel still delivers
      what it holds); those senders stay blocked until a receiver takes their value.
      close() on a closed channel does nothing.  close() never blocks or switches.
  C5. `for v in ch:` calls ch.receive() before each iteration and ends (like StopIteration)
      when receive would raise ChannelClosedError, i.e. when the channel is closed and holds
      no buffered value and no waiting sender.
  C6. ChannelClosedError and DeadlockError derive directly from Exception.
      (Stackless Python raises ValueError on a closed channel; the language has its own
      type.)

Deadlock
  D1. When the current tasklet blocks, or a spawned tasklet finishes, and the run queue is
      empty, the program fails: DeadlockError is NOT raised inside any tasklet (it cannot be
      caught; no finally blocks run); the oracle prints exactly one line to stdout
          DeadlockError: deadlock: all tasklets are blocked: <t>, <t>, ...
      where each <t>, for every blocked tasklet in increasing id order, is
          tasklet 1 (main) at line 7 on receive      (the main tasklet)
          tasklet 2 at line 3 on send                (a spawned tasklet)
      "on send" / "on receive" / "on await" name the blocking operation, and the line is the
      line being executed in the innermost frame of the program's own source (for a tasklet
      blocked inside nested calls or a generator, the line of the blocking call in the
      innermost function; for `for v in ch`, the line of the `for`).  Then it exits with
      status 1.  (Where Stackless Python raises RuntimeError in the main tasklet, the
      language fails the instance instead; the line format is the corpus's convention.)
"""

import ast
import builtins
import json
import os
import sys
import threading
import traceback
from collections import deque


class ChannelClosedError(Exception):
    """Raised by send on a closed channel and by receive on a closed, empty channel."""


class DeadlockError(Exception):
    """Named in the deadlock line; never raised inside a tasklet (see D1)."""


class _Tasklet:
    def __init__(self, tid, func=None, args=(), kwargs=None):
        self.id = tid
        self.func = func
        self.args = args
        self.kwargs = kwargs or {}
        self.go = threading.Semaphore(0)   # released when this tasklet gets the baton
        self.blocked_on = None             # 'send' / 'receive' / 'await' while blocked
        self.blocked_line = None
        self.done = False
        self.result = None
        self.exc = None
        self.awaiters = []
        self.resume_value = None
        self.resume_exc = None


class TaskletHandle:
    """What spawn returns; await takes it."""
    __slots__ = ('_t',)

    def __init__(self, t):
        self._t = t

    def __repr__(self):
        return '<tasklet %d>' % self._t.id


class _Scheduler:
    def __init__(self, filename):
        self.filename = filename
        self.runq = deque()
        self.main = _Tasklet(1)
        self.current = self.main
        self.tasklets = [self.main]

    # -- switching ---------------------------------------------------------------------

    def _line(self):
        f = sys._getframe(1)
        while f is not None and f.f_code.co_filename != self.filename:
            f = f.f_back
        return f.f_lineno if f is not None else 0

    def _run_next(self):
        """The current tasklet stops running (blocked or finished): hand the baton to the
        head of the run queue, or fail with a deadlock."""
        if not self.runq:
            self._deadlock()
        nxt = self.runq.popleft()
        self.current = nxt
        nxt.go.release()

    def block(self, kind):
        cur = self.current
        cur.blocked_on = kind
        cur.blocked_line = self._line()
        self._run_next()
        cur.go.acquire()
        # Resumed: whoever woke us set current to us before releasing.
        cur.blocked_on = None
        value, exc = cur.resume_value, cur.resume_exc
        cur.resume_value = cur.resume_exc = None
        if exc is not None:
            raise exc
        return value

    def wake(self, t, value=None, exc=None):
        t.resume_value = value
        t.resume_exc = exc
        self.runq.append(t)

    def schedule(self):
        if not self.runq:
            return None
        cur = self.current
        self.runq.append(cur)
        nxt = self.runq.popleft()
        self.current = nxt
        nxt.go.release()
        cur.go.acquire()
        return None

    def _deadlock(self):
        parts = []
        for t in sorted(self.tasklets, key=lambda t: t.id):
            if t.done or t.blocked_on is None:
                continue
            who = 'tasklet 1 (main)' if t is self.main else 'tasklet %d' % t.id
            parts.append('%s at line %d on %s' % (who, t.blocked_line, t.blocked_on))
        sys.stdout.write('DeadlockError: deadlock: all tasklets are blocked: '
                         + ', '.join(parts) + '\n')
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)

    # -- tasklets ----------------------------------------------------------------------

    def spawn(self, func, *args, **kwargs):
        if not callable(func):
            raise TypeError("spawn() argument must be callable, not '%s'" % type(func).__name__)
        t = _Tasklet(len(self.tasklets) + 1, func, args, kwargs)
        self.tasklets.append(t)
        th = threading.Thread(target=self._tasklet_main, args=(t,), daemon=True,
                              name='tasklet-%d' % t.id)
        th.start()
        self.runq.append(t)
        return TaskletHandle(t)

    def _tasklet_main(self, t):
        t.go.acquire()
        try:
            t.result = t.func(*t.args, **t.kwargs)
        except BaseException as e:  # kept in the handle; only await observes it
            t.exc = e
        t.done = True
        t.func = t.args = t.kwargs = None
        for w in t.awaiters:
            self.wake(w)
        t.awaiters = []
        self._run_next()

    def await_(self, x):
        if not isinstance(x, TaskletHandle):
            raise TypeError("object of type '%s' can't be awaited" % type(x).__name__)
        t = x._t
        if not t.done:
            if t is self.current:
                raise RuntimeError('a tasklet cannot await itself')
            t.awaiters.append(self.current)
            self.block('await')
        if t.exc is not None:
            raise t.exc
        return t.result


_sched = None


class Channel:
    """channel() / channel(n): see C1-C5."""

    def __init__(self, capacity=0):
        if type(capacity) is not int or capacity < 0:
            raise ValueError('channel capacity must be a non-negative int')
        self._capacity = capacity
        self._buffer = deque()
        self._senders = deque()     # (tasklet, value)
        self._receivers = deque()   # tasklet
        self._closed = False

    def __repr__(self):
        return '<channel>'

    def send(self, value):
        s = _sched
        if self._closed:
            raise ChannelClosedError('send on closed channel')
        if self._receivers:
            s.wake(self._receivers.popleft(), value=value)
            return None
        if len(self._buffer) < self._capacity:
            self._buffer.append(value)
            return None
        self._senders.append((s.current, value))
        s.block('send')
        return None

    def receive(self):
        s = _sched
        if self._buffer:
            value = self._buffer.popleft()
            if self._senders:
                t, v = self._senders.popleft()
                self._buffer.append(v)
                s.wake(t)
            return value
        if self._senders:
            t, v = self._senders.popleft()
            s.wake(t)
            return v
        if self._closed:
            raise ChannelClosedError('receive on closed channel')
        self._receivers.append(s.current)
        return s.block('receive')

    def close(self):
        if self._closed:
            return None
        self._closed = True
        while self._receivers:
            _sched.wake(self._receivers.popleft(),
                        exc=ChannelClosedError('receive on closed channel'))
        return None

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self.receive()
        except ChannelClosedError:
            raise StopIteration from None


class _AwaitToCall(ast.NodeTransformer):
    def visit_Await(self, node):
        self.generic_visit(node)
        call = ast.Call(func=ast.Name(id='__await__', ctx=ast.Load()),
                        args=[node.value], keywords=[])
        ast.copy_location(call, node)
        ast.copy_location(call.func, node)
        return call


def _load(path):
    with open(path, encoding='utf-8') as f:
        source = f.read()
    tree = ast.parse(source, filename=path)
    tree = ast.fix_missing_locations(_AwaitToCall().visit(tree))
    return compile(tree, path, 'exec')


def main(argv):
    global _sched
    args = argv[1:]
    input_json = None
    if len(args) == 3 and args[1] == '--input':
        input_json = args[2]
    elif len(args) != 1:
        sys.stderr.write('usage: stackless_ref.py PROGRAM.wf [--input JSON]\n')
        return 2
    path = os.path.abspath(args[0])
    if input_json is None:
        side = path[:-3] + '.input.json' if path.endswith('.wf') else path + '.input.json'
        if os.path.exists(side):
            with open(side, encoding='utf-8') as f:
                input_json = f.read()
    payload = json.loads(input_json) if input_json is not None else None

    code = _load(path)
    threading.stack_size(64 * 1024 * 1024)
    _sched = _Scheduler(path)
    g = {
        '__name__': '__main__',
        '__builtins__': builtins,
        'spawn': _sched.spawn,
        'channel': Channel,
        'schedule': _sched.schedule,
        '__await__': _sched.await_,
        'ChannelClosedError': ChannelClosedError,
        'DeadlockError': DeadlockError,
    }
    status = 0
    try:
        exec(code, g)
        entry = g.get('main')
        if entry is not None:
            result = entry(payload)
            if result is not None:
                print(json.dumps(result))
    except BaseException:
        sys.stdout.flush()
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
