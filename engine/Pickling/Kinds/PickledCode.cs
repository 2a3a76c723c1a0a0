using Workflow.Compiler;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A code object on an operand stack (MakeFunction's constant, between LoadConst and the call):
/// <c>{"kind": "code", "module": name?, "code": qualified name}</c>. It is the program's own
/// code, found by name; StackCheck allows one only in a slot that holds it.
/// </summary>
internal sealed class PickledCode : PickledKind<CodeObject>
{
    public override string Key => "code";

    protected override void Write(Pickler w, CodeObject code)
    {
        w.Property("kind", Key);
        if (code.ModuleName != "__main__") w.Property("module", code.ModuleName);
        w.Property("code", code.QualifiedName);
    }

    public override object Create(Unpickler r, PObject e) => r.CodeOf(e, "code");
}
