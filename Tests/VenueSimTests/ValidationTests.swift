import BusProtocol
import Testing
import TradingModel
import VenueKit
import VenueSim

/// Every venue rule has a request that breaks it; a broken rule is thrown and leaves no order.
@Suite struct ValidationTests {
    /// A bad request, the code and reason it must be refused with.
    struct Case: Sendable, CustomTestStringConvertible {
        let place: VenuePlace
        let code: ErrorCode
        let reason: String
        var testDescription: String { reason }
    }

    /// One request per venue rule.
    static let cases: [Case] = [
        Case(place: Fixtures.place("", qty: "0.01"), code: .invalidRequest, reason: "client_order_id_missing"),
        Case(place: Fixtures.place("v", account: "", qty: "0.01"), code: .invalidRequest, reason: "account_missing"),
        Case(place: Fixtures.place("v", account: "nobody", qty: "0.01"), code: .unknownAccount, reason: "unknown_account"),
        Case(place: Fixtures.place("v", symbol: "DOGE/USDT", qty: "1"), code: .unknownSymbol, reason: "unknown_symbol"),
        Case(place: Fixtures.place("v", qty: "0"), code: .invalidQuantity, reason: "qty_not_positive"),
        Case(place: Fixtures.place("v", qty: "-0.01"), code: .invalidQuantity, reason: "qty_not_positive"),
        Case(place: Fixtures.place("v", qty: "0.000101"), code: .lotSize, reason: "qty_not_lot_multiple"),
        Case(place: Fixtures.place("v", qty: "0.01", price: "50000"), code: .invalidRequest, reason: "price_on_market_order"),
        Case(place: Fixtures.place("v", type: .limit, qty: "0.01"), code: .invalidPrice, reason: "price_missing"),
        Case(place: Fixtures.place("v", type: .limit, qty: "0.01", price: "0"), code: .invalidPrice, reason: "price_not_positive"),
        Case(
            place: Fixtures.place("v", type: .limit, qty: "0.01", price: "50000.001"),
            code: .tickSize, reason: "price_not_tick_multiple"),
        // 0.00009 BTC at the ask ≈ 4.50 USDT < 5.
        Case(place: Fixtures.place("v", qty: "0.00009"), code: .minNotional, reason: "below_min_notional"),
        Case(
            place: Fixtures.place("v", symbol: "ETH/USDT", type: .limit, qty: "0.0016", price: "3000", tif: .ioc),
            code: .minNotional, reason: "below_min_notional"),
    ]

    @Test(arguments: cases)
    func brokenRuleIsThrownAndNothingIsRecorded(_ bad: Case) {
        var exchange = Fixtures.exchange()
        expectServiceError(bad.code, reason: bad.reason) { () throws(ServiceError) in
            _ = try exchange.place(bad.place, now: Fixtures.t0)
        }
        #expect(exchange.order(account: bad.place.account, clientOrderId: bad.place.clientOrderId) == nil)
        #expect(exchange.balances(account: Fixtures.rich) == Fixtures.richStart)
        #expect(exchange.fills(account: Fixtures.rich, afterTradeSeq: nil).isEmpty)
    }

    @Test func perpetualInstrumentsAreNotTraded() {
        let perp = Instrument(
            symbol: "BTC-PERP", base: "BTC", quote: "USDT", kind: .linearPerpetual,
            tickSize: dec("0.1"), lotSize: dec("0.001"), minNotional: dec("5"))
        var exchange = PaperExchange(
            instruments: [perp], startingPrices: ["BTC-PERP": dec("50000")],
            accounts: [Fixtures.rich: Fixtures.richStart], spreadTicks: 2, seed: 1)
        expectServiceError(.venueRejected, reason: "instrument_kind_unsupported") { () throws(ServiceError) in
            _ = try exchange.place(Fixtures.place("p", symbol: "BTC-PERP", qty: "0.01"), now: 0)
        }
    }

    @Test func unknownAccountHasNoBalancesOrOrders() {
        let exchange = Fixtures.exchange()
        #expect(exchange.balances(account: "nobody").isEmpty)
        #expect(exchange.openOrders(account: "nobody").isEmpty)
        #expect(exchange.fills(account: "nobody", afterTradeSeq: nil).isEmpty)
        #expect(exchange.positions(account: "nobody").isEmpty)
        #expect(exchange.order(account: "nobody", clientOrderId: "x") == nil)
    }
}
