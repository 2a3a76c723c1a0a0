using Workflow.Runtime;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>A for loop's iterator over a channel: <c>{"kind": "channel_iterator", "channel": v}</c>, made whole.</summary>
internal sealed class PickledChannelIterator : PickledKind<ChannelIterator>
{
    public override string Key => "channel_iterator";

    protected override void Write(Pickler w, ChannelIterator it)
    {
        w.Property("kind", Key);
        w.Value("channel", it.Channel);
    }

    public override object Create(Unpickler r, PObject e) =>
        new ChannelIterator(r.Value(Required(e, "channel")) as PyChannel ?? throw Bad(e["channel"]!, "expected a channel"));
}
