import BusProtocol
import Testing
import TradingModel
import VenueKit
import VenueSim

/// Placing orders: immediate execution, fees, balances, idempotency, rejections.
@Suite struct PlacingTests {
    @Test func startingQuoteHasTheConfiguredSpread() throws {
        let exchange = Fixtures.exchange()
        let tick = try #require(exchange.quote(symbol: "BTC/USDT"))
        #expect(tick.bid == dec("49999.99"))
        #expect(tick.ask == dec("50000.01"))
        #expect(tick.last == dec("50000"))
        #expect(tick.ts == Fixtures.t0)
        #expect(exchange.quote(symbol: "DOGE/USDT") == nil)
    }

    @Test func marketBuyFillsAtOnceAtTheAskWithExactFeeAndBalances() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.place(Fixtures.place("c1", qty: "0.00123"), now: Fixtures.t0 + 5)
        #expect(order.status == .filled)
        #expect(order.venueOrderId == "V000000000001")
        #expect(order.filledQty == dec("0.00123"))
        #expect(order.avgPrice == dec("50000.01"))
        #expect(order.createdTs == Fixtures.t0 + 5)
        let fill = try #require(order.fills.first)
        #expect(order.fills.count == 1)
        #expect(fill.tradeId == "T000000000001")
        #expect(fill.tradeSeq == 1)
        #expect(fill.price == dec("50000.01"))
        // notional 61.5000123; fee 0.0615000123 rounded UP to 8 digits.
        #expect(fill.fee == dec("0.06150002"))
        #expect(fill.feeAsset == "USDT")
        #expect(fill.ts == Fixtures.t0 + 5)
        let balances = exchange.balances(account: Fixtures.rich)
        #expect(balances["USDT"] == dec("99938.43848768"))
        #expect(balances["BTC"] == dec("1.00123"))
        #expect(balances["ETH"] == dec("10"))
        #expect(exchange.positions(account: Fixtures.rich) == ["BTC/USDT": dec("0.00123")])
        #expect(exchange.quote(symbol: "BTC/USDT")?.last == dec("50000.01"))
        #expect(exchange.openOrders(account: Fixtures.rich).isEmpty)
    }

    @Test func marketSellFillsAtTheBidAndPaysTheFeeFromProceeds() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.place(Fixtures.place("s1", side: .sell, qty: "0.1"), now: Fixtures.t0)
        #expect(order.status == .filled)
        #expect(order.fills.first?.price == dec("49999.99"))
        #expect(order.fills.first?.fee == dec("4.999999"))  // 4999.999 × 0.001
        let balances = exchange.balances(account: Fixtures.rich)
        #expect(balances["BTC"] == dec("0.9"))
        #expect(balances["USDT"] == dec("104994.999001"))  // + 4999.999 − 4.999999
        #expect(exchange.positions(account: Fixtures.rich) == ["BTC/USDT": dec("-0.1")])
    }

    @Test func marketableLimitGetsPriceImprovement() throws {
        var exchange = Fixtures.exchange()
        let buy = try exchange.place(
            Fixtures.place("b1", type: .limit, qty: "0.01", price: "50100", tif: .ioc), now: Fixtures.t0)
        #expect(buy.status == .filled)
        #expect(buy.fills.first?.price == dec("50000.01"))
        #expect(buy.price == dec("50100"))
        let sell = try exchange.place(
            Fixtures.place("s1", side: .sell, type: .limit, qty: "0.01", price: "49000", tif: .fok), now: Fixtures.t0)
        #expect(sell.status == .filled)
        #expect(sell.fills.first?.price == dec("49999.99"))
    }

    @Test func duplicateClientOrderIdReturnsTheSameOrderAndChargesOnce() throws {
        var exchange = Fixtures.exchange()
        let first = try exchange.place(Fixtures.place("dup", qty: "0.01"), now: Fixtures.t0)
        let afterFirst = exchange.balances(account: Fixtures.rich)
        // A resend, even with a different body and later, returns the original order.
        let second = try exchange.place(Fixtures.place("dup", qty: "0.5"), now: Fixtures.t0 + 1_000)
        #expect(second == first)
        #expect(exchange.fills(account: Fixtures.rich, afterTradeSeq: nil).count == 1)
        #expect(exchange.balances(account: Fixtures.rich) == afterFirst)
        // The same id in another account is another order.
        let other = try exchange.place(Fixtures.place("dup", account: Fixtures.poor, qty: "0.0001"), now: Fixtures.t0)
        #expect(other.venueOrderId != first.venueOrderId)
    }

    @Test func insufficientQuoteBalanceRecordsARejectedOrder() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.place(
            Fixtures.place("p1", account: Fixtures.poor, qty: "0.001"), now: Fixtures.t0)  // ≈ 50 USDT
        #expect(order.status == .rejected)
        #expect(order.reason == "insufficient_balance")
        #expect(order.fills.isEmpty)
        #expect(order.filledQty == .zero)
        #expect(exchange.balances(account: Fixtures.poor) == ["USDT": dec("10")])
        #expect(exchange.order(account: Fixtures.poor, clientOrderId: "p1") == order)
        // The rejection is the order's answer: a resend gets it again.
        #expect(try exchange.place(Fixtures.place("p1", account: Fixtures.poor, qty: "0.0001"), now: 1) == order)
    }

    @Test func insufficientBaseBalanceRejectsASell() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.place(Fixtures.place("s1", side: .sell, qty: "1.00001"), now: Fixtures.t0)
        #expect(order.status == .rejected)
        #expect(order.reason == "insufficient_balance")
        #expect(exchange.balances(account: Fixtures.rich) == Fixtures.richStart)
    }

    @Test func buyNeedsTheFeeOnTopOfTheNotional() throws {
        var exchange = PaperExchange(
            instruments: PaperExchange.defaultInstruments(), startingPrices: PaperExchange.defaultStartingPrices(),
            accounts: ["a": ["USDT": dec("500")]], spreadTicks: 2, seed: 1)
        // 0.01 × 50000 = 500 exactly, + fee 0.5: not enough.
        let short = try exchange.place(
            Fixtures.place("x", account: "a", type: .limit, qty: "0.01", price: "50000", tif: .gtc), now: 0)
        #expect(short.status == .rejected)
        let fits = try exchange.place(
            Fixtures.place("y", account: "a", type: .limit, qty: "0.00999", price: "50000", tif: .gtc), now: 0)
        #expect(fits.status == .new)
        #expect(exchange.availableBalances(account: "a")["USDT"] == dec("0.0005"))  // 500 − 499.5 − 0.4995
    }

    @Test func iocLimitAwayFromTheMarketIsCanceled() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.place(
            Fixtures.place("i1", type: .limit, qty: "0.01", price: "49000", tif: .ioc), now: Fixtures.t0)
        #expect(order.status == .canceled)
        #expect(order.reason == "ioc_no_match")
        #expect(order.fills.isEmpty)
        #expect(exchange.openOrders(account: Fixtures.rich).isEmpty)
        #expect(exchange.balances(account: Fixtures.rich) == Fixtures.richStart)
        #expect(exchange.availableBalances(account: Fixtures.rich) == Fixtures.richStart)
    }

    @Test func fokLimitAwayFromTheMarketIsCanceled() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.place(
            Fixtures.place("f1", side: .sell, type: .limit, qty: "0.01", price: "51000", tif: .fok), now: Fixtures.t0)
        #expect(order.status == .canceled)
        #expect(order.reason == "fok_no_match")
        #expect(exchange.balances(account: Fixtures.rich) == Fixtures.richStart)
    }
}
