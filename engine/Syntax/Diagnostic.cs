namespace Workflow.Syntax;

/// <summary>
/// A compile error at a place in a source file. Printed as `file.wf:LINE:COL: message`, the format
/// editors and CI logs already understand. Lines and columns are 1-based.
/// </summary>
public sealed record Diagnostic(string File, int Line, int Col, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Col}: {Message}";
}
