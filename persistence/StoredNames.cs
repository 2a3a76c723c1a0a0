using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// How enums are written in the database: as lowercase names, so rows read well in the sqlite3 shell
/// and stay meaningful if an enum is reordered.
/// </summary>
internal static class StoredNames
{
    private static readonly string[] Statuses = ["running", "waiting", "completed", "failed", "cancelled", "terminated", "paused"];

    /// <summary>A SQL condition on `Status` true for instances that can still run (a paused one keeps the status it had: see InstanceRecord.Paused).</summary>
    public const string NotFinal = "Status IN ('running', 'waiting')";

    public static string Of(InstanceStatus status) => Statuses[(int)status];

    public static string Of(InboxKind kind) => kind.Name();

    public static bool IsFinal(InstanceStatus status) => status.IsFinal();

    public static InstanceStatus Status(string name) => (InstanceStatus)Index(Statuses, name, "status");

    /// <summary>
    /// The status reads show for a row with the stored status [name] and the Paused flag [paused]:
    /// Paused while the flag is set and the instance can still run; a final status wins over the flag
    /// (an instance paused during the turn that ended it keeps the flag, and is simply finished).
    /// </summary>
    public static InstanceStatus Shown(string name, bool paused)
    {
        var status = Status(name);
        return paused && !status.IsFinal() ? InstanceStatus.Paused : status;
    }

    public static InboxKind Kind(string name) =>
        InboxKinds.Parse(name) ?? throw new InvalidDataException($"unknown inbox kind '{name}' in the workflow database");

    private static int Index(string[] names, string name, string what)
    {
        var i = Array.IndexOf(names, name);
        if (i < 0) throw new InvalidDataException($"unknown {what} '{name}' in the workflow database");
        return i;
    }
}
