using OrderHost;

// The order host: `dotnet run --project examples/orders/OrderHost` serves the API and dashboard on
// http://127.0.0.1:5090 with the order saga deployed and its activities registered.
var app = OrderApp.Build(args);
app.Run();
