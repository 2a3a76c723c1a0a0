using System.Text;

namespace Workflow.Durable;

/// <summary>
/// What one turn prints, kept up to a limit (TurnOptions.MaxOutputBytes, bytes of UTF-8): the rest
/// is counted and dropped, and a note at the end says how much. A turn printing in a loop can then
/// neither fill the server's log nor its memory.
/// </summary>
internal sealed class TurnOutput(long maxBytes) : TextWriter
{
    private readonly StringBuilder _kept = new();
    private long _keptBytes;
    private long _droppedBytes;
    /// <summary>How much of what was kept earlier commits' journal entries already hold (Take).</summary>
    private int _taken;
    private bool _dropNoted;

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (_droppedBytes > 0)
        {
            _droppedBytes += Encoding.UTF8.GetByteCount(value);
            return;
        }
        long bytes = Encoding.UTF8.GetByteCount(value);
        if (_keptBytes + bytes <= maxBytes)
        {
            _kept.Append(value);
            _keptBytes += bytes;
            return;
        }
        // Keep what fits, whole characters only (a surrogate pair is one).
        long room = maxBytes - _keptBytes;
        int fits = 0;
        while (fits < value.Length)
        {
            int step = char.IsHighSurrogate(value[fits]) && fits + 1 < value.Length ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(value.AsSpan(fits, step));
            if (size > room) break;
            room -= size;
            fits += step;
        }
        _kept.Append(value, 0, fits);
        _keptBytes = maxBytes - room;
        _droppedBytes = bytes - Encoding.UTF8.GetByteCount(value.AsSpan(0, fits));
    }

    /// <summary>Whether anything was printed.</summary>
    public bool IsEmpty => _kept.Length == 0 && _droppedBytes == 0;

    /// <summary>
    /// What was printed since the last Take, for a commit's journal entry (a turn that commits at
    /// every await writes several), with the note on dropped output once it applies.
    /// </summary>
    public string Take()
    {
        var text = _kept.ToString(_taken, _kept.Length - _taken);
        _taken = _kept.Length;
        if (_droppedBytes == 0 || _dropNoted) return text;
        _dropNoted = true;
        return text + DroppedNote();
    }

    /// <summary>What was kept, and the note on what was dropped.</summary>
    public override string ToString() => _droppedBytes == 0 ? _kept.ToString() : _kept + DroppedNote();

    private string DroppedNote() =>
        $"\n[output truncated: this turn printed {_droppedBytes:N0} more bytes past the limit of {ByteSizes.Describe(maxBytes)} per turn (MaxOutputBytes)]\n";
}
