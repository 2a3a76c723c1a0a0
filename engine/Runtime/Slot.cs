namespace Workflow.Runtime;

/// <summary>
/// An object[] element seen as a struct. The interpreter loop views the operand stack and local
/// slots as Slot[] (Unsafe.As; same layout), because storing into an object[] costs a covariance
/// type check on every store, and storing into a struct field does not.
/// </summary>
internal struct Slot
{
    public object V;
}
