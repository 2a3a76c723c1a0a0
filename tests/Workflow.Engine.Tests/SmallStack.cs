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

    public static T Run<T>(int stackBytes, Func<T> work)
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
        Assert.True(thread.Join(TimeSpan.FromMinutes(5)), "the code on the small stack did not finish in 5 minutes");
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
        return result;
    }

    public static void Run(int stackBytes, Action work) => Run(stackBytes, () =>
    {
        work();
        return 0;
    });
}
