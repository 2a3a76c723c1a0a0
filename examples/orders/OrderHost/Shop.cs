using Newtonsoft.Json.Linq;

namespace OrderHost;

/// <summary>
/// Stand-ins for the services an order saga talks to (inventory, payments, shipping), in memory.
/// Every effect is keyed by the activity's idempotency key, as a real service call would be (an
/// <c>Idempotency-Key</c> header, a unique column): an attempt that runs again returns the first answer.
/// </summary>
public sealed class Shop
{
    /// <summary>Stripe's test card number that is always declined.</summary>
    public const string DeclinedCard = "4000000000000002";

    private readonly object _gate = new();
    private readonly Dictionary<string, int> _stock = new() { ["book"] = 10, ["lamp"] = 3, ["chair"] = 0 };
    private readonly Dictionary<string, (string Id, JArray Items)> _reservations = new();
    private readonly Dictionary<string, (string Id, decimal Amount)> _payments = new();
    private readonly Dictionary<string, string> _shipments = new();
    private readonly HashSet<string> _released = new();
    private readonly HashSet<string> _refunded = new();

    public string Reserve(JObject order, string key)
    {
        lock (_gate)
        {
            if (_reservations.TryGetValue(key, out var done)) return done.Id;
            var items = order["items"] as JArray ?? throw new ArgumentException("the order has no items");
            foreach (var item in items)
            {
                var sku = (string)item["sku"]!;
                if (_stock.GetValueOrDefault(sku) < (int)item["qty"]!) throw new InvalidOperationException($"out of stock: {sku}");
            }
            foreach (var item in items) _stock[(string)item["sku"]!] -= (int)item["qty"]!;
            var id = $"res-{_reservations.Count + 1}";
            _reservations[key] = (id, items);
            return id;
        }
    }

    public string Charge(JObject order, string key)
    {
        lock (_gate)
        {
            if (_payments.TryGetValue(key, out var done)) return done.Id;
            if ((string?)order["card"] == DeclinedCard) throw new InvalidOperationException("card declined");
            var id = $"pay-{_payments.Count + 1}";
            _payments[key] = (id, (decimal)order["amount"]!);
            return id;
        }
    }

    public string Ship(JObject order, string key)
    {
        lock (_gate)
        {
            if (_shipments.TryGetValue(key, out var tracking)) return tracking;
            if ((string?)order["ship_to"] == "nowhere") throw new InvalidOperationException("no carrier delivers to 'nowhere'");
            tracking = $"track-{_shipments.Count + 1}";
            _shipments[key] = tracking;
            return tracking;
        }
    }

    /// <summary>Puts a reservation's items back; releasing twice changes nothing.</summary>
    public JToken Release(string reservation)
    {
        lock (_gate)
        {
            var found = _reservations.Values.FirstOrDefault(r => r.Id == reservation);
            if (found.Id == null) throw new ArgumentException($"no reservation {reservation}");
            if (_released.Add(reservation))
                foreach (var item in found.Items) _stock[(string)item["sku"]!] += (int)item["qty"]!;
            return new JObject { ["released"] = reservation };
        }
    }

    /// <summary>Refunds a payment; refunding twice changes nothing.</summary>
    public JToken Refund(string payment)
    {
        lock (_gate)
        {
            if (!_payments.Values.Any(p => p.Id == payment)) throw new ArgumentException($"no payment {payment}");
            _refunded.Add(payment);
            return new JObject { ["refunded"] = payment };
        }
    }

    public JObject Ledger()
    {
        lock (_gate)
        {
            return new JObject
            {
                ["stock"] = JObject.FromObject(_stock),
                ["payments"] = new JArray(_payments.Values.OrderBy(p => p.Id, StringComparer.Ordinal)
                    .Select(p => new JObject { ["id"] = p.Id, ["amount"] = p.Amount, ["refunded"] = _refunded.Contains(p.Id) })),
                ["released"] = new JArray(_released.Order(StringComparer.Ordinal)),
                ["shipments"] = _shipments.Count,
            };
        }
    }
}
