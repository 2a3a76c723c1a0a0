namespace Workflow.Boundary;

/// <summary>A payload (an input, a signal's payload, a result) over its size limit (see Durable.PayloadLimits); nothing was written.</summary>
internal sealed class PayloadTooLargeException(string what, long bytes, int limit)
    : FormatException($"the {what} is {bytes:N0} bytes of JSON; the limit is {limit:N0} bytes")
{
    /// <summary>The limit it broke, in bytes of UTF-8 JSON.</summary>
    public int Limit { get; } = limit;
}
