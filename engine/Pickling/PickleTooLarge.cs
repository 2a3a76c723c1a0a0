using System.Globalization;
using System.Text;

namespace Workflow.Pickling;

/// <summary>
/// An instance's pickle would pass the limit the runtime set (TurnOptions.MaxPickleBytes): the turn
/// fails its instance and the previous pickle stays. Thrown while pickling, as soon as the text
/// passes the limit, so a state of gigabytes is never written out whole.
/// </summary>
internal sealed class PickleTooLarge(long limit)
    : Exception($"the instance's state is over the limit of {ByteSizes.Describe(limit)} pickled (MaxPickleBytes): keep large data outside the workflow (in an activity's store) and pass references")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// A StringWriter that throws PickleTooLarge once it holds more than [maxBytes] characters: each is at
/// least one UTF-8 byte, so the pickle is then surely over the limit.
/// </summary>
internal sealed class BoundedStringWriter(long maxBytes)
    : StringWriter(new StringBuilder(1024), CultureInfo.InvariantCulture)
{
    public override void Write(char value)
    {
        base.Write(value);
        Check();
    }

    public override void Write(char[] buffer, int index, int count)
    {
        base.Write(buffer, index, count);
        Check();
    }

    public override void Write(string? value)
    {
        base.Write(value);
        Check();
    }

    private void Check()
    {
        if (GetStringBuilder().Length > maxBytes) throw new PickleTooLarge(maxBytes);
    }
}
