/// Binance Spot's request weight of each REST call the suite makes or serves (one table: the
/// adapter charges its budget with it before a call, venue-sim's front charges the same).
public enum BinanceWeights {
    /// The weight of `method` on `path` with `params`; an unknown call counts 1.
    public static func weight(method: String, path: String, params: BinanceQuery) -> Int {
        switch (method, path) {
        case (_, "/api/v3/ping"), (_, "/api/v3/time"), ("POST", "/api/v3/order"), ("DELETE", "/api/v3/order"), ("DELETE", "/api/v3/openOrders"): 1
        case (_, "/api/v3/exchangeInfo"), (_, "/api/v3/account"): 20
        case (_, "/api/v3/ticker/bookTicker"): params["symbol"] == nil ? 4 : 2
        case ("GET", "/api/v3/order"): 4
        case ("GET", "/api/v3/openOrders"): params["symbol"] == nil ? 80 : 6
        case (_, "/api/v3/myTrades"): params["orderId"] == nil ? 20 : 5
        default: 1
        }
    }
}
