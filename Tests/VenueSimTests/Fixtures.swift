import BusProtocol
import Testing
import TradingModel
import VenueKit
import VenueSim

/// A decimal from a literal string (test shorthand; a bad literal fails loudly).
func dec(_ text: String) -> ExactDecimal {
    guard let value = ExactDecimal(text) else { preconditionFailure("bad decimal literal \(text)") }
    return value
}

/// Shared set-up: the default instruments (BTC mid 50000, ETH mid 3000), a 2-tick
/// spread (BTC bid 49999.99 / ask 50000.01), fee 0.1 %, and two accounts.
enum Fixtures {
    /// A funded account.
    static let rich = "acct-rich"
    /// An account with only 10 USDT.
    static let poor = "acct-poor"
    /// Venue time of the first request.
    static let t0: Int64 = 1_700_000_000_000_000_000

    /// Starting balances of `rich`.
    static let richStart: [String: ExactDecimal] = ["USDT": dec("100000"), "BTC": dec("1"), "ETH": dec("10")]

    /// A fresh exchange with the default configuration and `seed`.
    static func exchange(seed: UInt64 = 42) -> PaperExchange {
        PaperExchange(
            instruments: PaperExchange.defaultInstruments(),
            startingPrices: PaperExchange.defaultStartingPrices(),
            accounts: [rich: richStart, poor: ["USDT": dec("10")]],
            spreadTicks: 2, seed: seed, startTs: t0)
    }

    /// A place request with sensible defaults.
    static func place(
        _ clientOrderId: String, account: String = rich, symbol: String = "BTC/USDT", side: Side = .buy,
        type: OrderType = .market, qty: String, price: String? = nil, tif: TimeInForce = .gtc
    ) -> VenuePlace {
        VenuePlace(
            account: account, clientOrderId: clientOrderId, symbol: symbol, side: side, type: type,
            qty: dec(qty), price: price.map(dec), timeInForce: tif)
    }
}

/// Runs `body`, expecting it to throw a `ServiceError` with `code` and `reason`.
func expectServiceError(
    _ code: ErrorCode, reason: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(ServiceError) -> Void
) {
    do {
        try body()
        Issue.record("expected \(code.rawValue) (\(reason)), nothing was thrown", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.reason == reason, sourceLocation: sourceLocation)
    }
}
