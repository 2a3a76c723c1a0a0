using System.Runtime.CompilerServices;

namespace Workflow.Values;

/// <summary>
/// How deep C# code may recurse into nested script values: repr and str of a list inside a list,
/// == and ordering of nested containers, hash of nested tuples. A script builds such data in a
/// loop (`x = [x]` a hundred thousand times), so without a limit one print would overflow the
/// native stack and kill the worker with every instance on it.
/// </summary>
/// <remarks>
/// <para>
/// The limit, 1000 levels, is CPython's default recursion limit, and past it the script gets the
/// RecursionError CPython raises, with its message ("maximum recursion depth exceeded while getting
/// the repr of an object"), which it may catch. CPython also counts the script's own frames, so it
/// stops a few levels earlier. A fixed count, rather than the stack left, gives the same outcome on
/// every worker thread, whatever its stack size.
/// </para>
/// <para>
/// The walks that count levels here recurse in one or two small frames per level (the hottest
/// methods are AggressiveOptimization, as NestingLimits explains): at the limit they use 100 to
/// 200 KB of stack (repr the least, a chain of iterators the most), and the unpickler's chains of
/// objects about 230 KB, a quarter of a 1 MB thread at most. ValueNestingTests and
/// DeepStatePickleTests run each at the limit on a 512 KB thread. A native stack check stays as a
/// second guard for walks that also run script code per level (a user __repr__ or __eq__ in a
/// nested interpreter loop), whose frames are larger.
/// </para>
/// </remarks>
internal static class ValueNesting
{
    public const int MaxDepth = 1000;

    // The levels entered on this thread: a user __repr__ calling repr() on its children, in a
    // nested interpreter loop on the same thread, goes on counting from where its caller was.
    [ThreadStatic] private static int _depth;

    /// <summary>
    /// Enters one level of a walk; dispose the result to leave it. Past MaxDepth (or near the end of
    /// the native stack) raises RecursionError "maximum recursion depth exceeded [what]".
    /// </summary>
    public static Level Enter(string what)
    {
        if (_depth >= MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Errors.New(ExceptionTypes.RecursionError, "maximum recursion depth exceeded " + what);
        _depth++;
        return default;
    }

    /// <summary>One level entered by Enter, left when disposed.</summary>
    public readonly struct Level : IDisposable
    {
        public void Dispose() => _depth--;
    }
}
