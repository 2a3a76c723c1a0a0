using Newtonsoft.Json.Linq;
using Workflow.Runtime;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A channel: <c>{"kind": "channel", "capacity": n, "closed": true?, "buffer": [v…]?, "senders":
/// [{"tasklet": id, "value": v}…]?, "receivers": [id…]?}</c>. Made with its capacity; filled with
/// its buffer and its queues of waiting tasklets, each of which must be blocked and wait nowhere
/// else (Unpickler.BlockedTasklet).
/// </summary>
internal sealed class PickledChannel : PickledKind<PyChannel>
{
    public override string Key => "channel";

    protected override void Write(Pickler w, PyChannel ch)
    {
        w.Property("kind", Key);
        w.Property("capacity", ch.Capacity);
        if (ch.Closed) w.Property("closed", true);
        if (ch.Buffer.Count > 0) w.Items("buffer", ch.Buffer);
        if (ch.Senders.Count > 0)
        {
            var json = w.Writer;
            json.WritePropertyName("senders", false);
            json.WriteStartArray();
            foreach (var (sender, value) in ch.Senders)
            {
                json.WriteStartObject();
                w.Property("tasklet", sender.Id);
                w.Value("value", value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (ch.Receivers.Count > 0) w.TaskletIds("receivers", ch.Receivers);
    }

    public override object Create(Unpickler r, PObject e) => new PyChannel(Int(Required(e, "capacity"), 0, int.MaxValue));

    protected override void Fill(Unpickler r, PyChannel ch, PObject e)
    {
        ch.Closed = OptionalBool(e, "closed");
        if (e["buffer"] is { } buffer)
            foreach (var item in Arr(buffer)) ch.Buffer.Enqueue(r.Value(item));
        if (e["senders"] is { } senders)
        {
            foreach (var s in Arr(senders))
            {
                var sender = Obj(s);
                NoTypeMetadata(sender);
                ch.Senders.Enqueue((r.BlockedTasklet(Required(sender, "tasklet"), "send"), r.Value(Required(sender, "value"))));
            }
        }
        if (e["receivers"] is { } receivers)
            foreach (var receiver in Arr(receivers)) ch.Receivers.Enqueue(r.BlockedTasklet(receiver, "receive"));
    }

    public override void AddWaiters(JObject entry, Action<JToken?, string> add)
    {
        add(new JArray((entry["senders"] as JArray ?? new JArray()).Select(s => s["tasklet"])), "send");
        add(entry["receivers"], "receive");
    }
}
