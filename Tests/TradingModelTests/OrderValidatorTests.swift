import BusProtocol
import Testing
import TradingModel

/// Pre-trade validation (G3): one test per error code, plus the orders that pass.
@Suite struct OrderValidatorTests {
    /// Tick 0.05, lot 0.001, min notional 10.
    static let instrument = Instrument(
        symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot,
        tickSize: dec("0.05"), lotSize: dec("0.001"), minNotional: dec("10"))
    /// The only known account.
    static let accounts: Set<String> = ["acc-1"]

    /// A valid limit buy, with the given fields replaced.
    static func limit(qty: String = "0.01", price: String? = "50000.05", id: String? = "c-1") -> OrderSubmit {
        OrderSubmit(
            clientOrderId: id, account: "acc-1", symbol: "BTC/USDT", side: .buy, type: .limit,
            qty: dec(qty), price: price.map(dec), timeInForce: .gtc)
    }

    private func rejection(_ submit: OrderSubmit, instrument: Instrument? = instrument,
                           accounts: Set<String>? = accounts) -> ServiceError? {
        do {
            try OrderValidator.validate(submit, instrument: instrument, knownAccounts: accounts)
            return nil
        } catch {
            return error
        }
    }

    private func expectRejection(_ submit: OrderSubmit, _ code: ErrorCode, _ reason: String,
                                 instrument: Instrument? = instrument, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = rejection(submit, instrument: instrument)
        #expect(error?.code == code, sourceLocation: sourceLocation)
        #expect(error?.reason == reason, sourceLocation: sourceLocation)
        #expect(error?.retryable == false, sourceLocation: sourceLocation)
    }

    @Test func validOrdersPass() {
        #expect(rejection(Self.limit()) == nil)
        #expect(rejection(Self.limit(id: nil)) == nil)
        #expect(rejection(Self.limit(), accounts: nil) == nil)
        // Exactly at min notional: 0.2 × 50 = 10.
        #expect(rejection(Self.limit(qty: "0.2", price: "50")) == nil)
        // A market order without a price: its notional is checked later, against a quote.
        var market = Self.limit(qty: "0.001", price: nil)
        market.type = .market
        #expect(rejection(market) == nil)
    }

    @Test func unknownAccount() {
        var submit = Self.limit()
        submit.account = "acc-2"
        expectRejection(submit, .unknownAccount, "unknown_account")
    }

    @Test func unknownSymbol() {
        expectRejection(Self.limit(), .unknownSymbol, "unknown_symbol", instrument: nil)
    }

    @Test(arguments: ["0", "-0.001"])
    func quantityNotPositive(qty: String) {
        expectRejection(Self.limit(qty: qty), .invalidQuantity, "qty_not_positive")
    }

    @Test func limitWithoutPrice() {
        expectRejection(Self.limit(price: nil), .invalidPrice, "limit_without_price")
    }

    @Test(arguments: ["0", "-50000"])
    func priceNotPositive(price: String) {
        expectRejection(Self.limit(price: price), .invalidPrice, "price_not_positive")
    }

    @Test func priceOffTheTickGrid() {
        expectRejection(Self.limit(price: "50000.01"), .tickSize, "price_not_multiple_of_tick")
        var market = Self.limit(price: "50000.01")
        market.type = .market
        expectRejection(market, .tickSize, "price_not_multiple_of_tick")
    }

    @Test func quantityOffTheLotGrid() {
        expectRejection(Self.limit(qty: "0.0105"), .lotSize, "qty_not_multiple_of_lot")
    }

    @Test func belowMinNotional() {
        // 0.199 × 50 = 9.95 < 10.
        expectRejection(Self.limit(qty: "0.199", price: "50"), .minNotional, "below_min_notional")
    }

    @Test func notionalTooLargeIsRefusedNotTrapped() {
        let huge = "100000000000000000000"
        expectRejection(Self.limit(qty: huge, price: huge), .invalidQuantity, "notional_overflow")
    }

    @Test(arguments: ["", "has space", "slash/no", "é", "semi;colon", String(repeating: "x", count: 65)])
    func badClientOrderId(id: String) {
        expectRejection(Self.limit(id: id), .invalidRequest, "bad_client_order_id")
    }

    @Test(arguments: ["a", "A-z_0.9:x", String(repeating: "x", count: 64)])
    func goodClientOrderId(id: String) {
        #expect(rejection(Self.limit(id: id)) == nil)
        #expect(OrderValidator.isValidClientOrderId(id))
    }

    @Test func checksRunInTheDocumentedOrder() {
        var submit = Self.limit(qty: "0", price: "0", id: "bad id")
        submit.account = "nobody"
        expectRejection(submit, .invalidRequest, "bad_client_order_id")
        submit.clientOrderId = nil
        expectRejection(submit, .unknownAccount, "unknown_account")
        submit.account = "acc-1"
        expectRejection(submit, .unknownSymbol, "unknown_symbol", instrument: nil)
        expectRejection(submit, .invalidQuantity, "qty_not_positive")
        submit.qty = dec("0.0001")
        expectRejection(submit, .invalidPrice, "price_not_positive")
        submit.price = dec("0.01")
        expectRejection(submit, .tickSize, "price_not_multiple_of_tick")
        submit.price = dec("0.05")
        expectRejection(submit, .lotSize, "qty_not_multiple_of_lot")
        submit.qty = dec("0.001")
        expectRejection(submit, .minNotional, "below_min_notional")
    }
}
