import RiskService
import ServiceRuntime
import Synchronization
import TradingModel

/// A clock the test moves by hand (unix nanoseconds).
final class TestClock: Sendable {
    private let value: Mutex<Int64>

    init(_ start: Int64 = 1_800_000_000_000_000_000) { value = Mutex(start) }

    var now: Int64 { value.withLock { $0 } }

    func advance(seconds: Int64) { value.withLock { $0 += seconds * 1_000_000_000 } }

    func advance(nanos: Int64) { value.withLock { $0 += nanos } }

    var read: @Sendable () -> Int64 { { self.now } }
}

func dec(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

enum Fixtures {
    static let btc = Instrument(
        symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot,
        tickSize: dec("0.01"), lotSize: dec("0.00001"), minNotional: dec("5"))
    static let eth = Instrument(
        symbol: "ETH/USDT", base: "ETH", quote: "USDT", kind: .spot,
        tickSize: dec("0.01"), lotSize: dec("0.0001"), minNotional: dec("5"))
    static let perp = Instrument(
        symbol: "BTC-PERP/USDT", base: "BTC-PERP", quote: "USDT", kind: .linearPerpetual,
        tickSize: dec("0.01"), lotSize: dec("0.001"), minNotional: dec("5"))

    static func configuration(_ balances: [String: [String: ExactDecimal]] = ["acct-1": ["USDT": dec("100000")]]) -> RiskConfiguration {
        var configuration = RiskConfiguration(balances: balances, feeRate: dec("0.001"))
        // These tests move marks by tens of percent within a minute: the volatility trigger
        // (its own tests turn it on) would trip the global breaker first.
        configuration.market.maxVolatilityBps = .zero
        return configuration
    }

    static func order(
        _ id: String, account: String = "acct-1", side: Side = .buy, qty: String = "0.1", price: String = "50000",
        symbol: String = "BTC/USDT"
    ) -> RiskAuthorize {
        let parts = symbol.split(separator: "/").map(String.init)
        return RiskAuthorize(
            account: account, clientOrderId: id, symbol: symbol, base: parts[0], quote: parts[1], side: side,
            type: .limit, qty: dec(qty), price: dec(price), timeInForce: .gtc)
    }
}
