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

/// <summary>A StringWriter that throws PickleTooLarge once it holds more than [maxChars] characters.</summary>
internal sealed class BoundedStringWriter(long maxChars, long limitBytes)
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
        if (GetStringBuilder().Length > maxChars) throw new PickleTooLarge(limitBytes);
    }
}
