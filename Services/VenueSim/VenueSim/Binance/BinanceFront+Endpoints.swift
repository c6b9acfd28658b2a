import BinanceWire
import Hummingbird

extension BinanceFront {
    /// The endpoints the front serves, with Binance's request weights.
    enum Endpoint: CaseIterable, Sendable {
        case ping, time, exchangeInfo, bookTicker
        case newOrder, queryOrder, cancelOrder
        case openOrders, cancelOpenOrders, myTrades, account

        var path: String {
            switch self {
            case .ping: "/api/v3/ping"
            case .time: "/api/v3/time"
            case .exchangeInfo: "/api/v3/exchangeInfo"
            case .bookTicker: "/api/v3/ticker/bookTicker"
            case .newOrder, .queryOrder, .cancelOrder: "/api/v3/order"
            case .openOrders, .cancelOpenOrders: "/api/v3/openOrders"
            case .myTrades: "/api/v3/myTrades"
            case .account: "/api/v3/account"
            }
        }

        var method: HTTPRequest.Method {
            switch self {
            case .newOrder: .post
            case .cancelOrder, .cancelOpenOrders: .delete
            default: .get
            }
        }

        /// Whether the endpoint needs an API key, a timestamp and a signature.
        var isSigned: Bool {
            switch self {
            case .ping, .time, .exchangeInfo, .bookTicker: false
            default: true
            }
        }

        /// The request weight of a call with these parameters (Binance's, as the adapter counts it).
        func weight(_ query: BinanceQuery) -> Int {
            BinanceWeights.weight(method: method.rawValue, path: path, params: query)
        }
    }

    /// A request past authentication: its parameters (query string first, then the form
    /// body) and, when signed, the account its key trades.
    struct SignedRequest: Sendable {
        var params: BinanceQuery
        var account: String?

        func string(_ name: String) -> String? {
            params[name].flatMap { $0.isEmpty ? nil : $0 }
        }

        func required(_ name: String) throws(Failure) -> String {
            guard let value = string(name) else { throw .mandatory(name) }
            return value
        }

        func int64(_ name: String) throws(Failure) -> Int64? {
            guard let text = string(name) else { return nil }
            guard let value = Int64(text) else {
                throw Failure(.illegalChars, "Illegal characters found in parameter '\(name)'; legal range is '^[0-9]{1,20}$'.")
            }
            return value
        }

        var signedAccount: String {
            guard let account else { preconditionFailure("a signed endpoint's request has an account") }
            return account
        }
    }
}
