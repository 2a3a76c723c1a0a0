using System.Runtime.ExceptionServices;

namespace Workflow.Tests;

/// <summary>
/// Runs code on a thread with a small native stack. The test host's main thread has 8 MB, on
/// which a recursion as deep as its input can pass unnoticed; on a small stack it overflows and
/// kills the test run, which fails it. An exception thrown by the code is rethrown to the caller.
/// </summary>
internal static class SmallStack
{
    public const int OneMegabyte = 1024 * 1024;

    /// <summary>
    /// Runs [work] on a thread with [stackBytes] of stack and returns its result. Fails the test
    /// when it runs longer than [timeout] (5 minutes by default), saying what [running] says.
    /// </summary>
    public static T Run<T>(int stackBytes, Func<T> work, TimeSpan? timeout = null, Func<string>? running = null)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, stackBytes);
        thread.Start();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        Assert.True(thread.Join(limit), $"the code on the small stack did not finish in {limit.TotalSeconds:N0} s: {running?.Invoke()}");
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
        return result;
    }

    public static void Run(int stackBytes, Action work) => Run(stackBytes, () =>
    {
        work();
        return 0;
    });
}
