import BusProtocol
import Testing
import TradingModel
import VenueKit
@testable import OrderGateway

/// The slippage band (G7) is measured against the venue's market; a client quote can only
/// narrow it, and one far from the market is refused.
@Suite("price policy against the venue's market")
struct PricePolicyTests {
    static let instrument = Instrument(
        symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot,
        tickSize: ExactDecimal("0.01")!, lotSize: ExactDecimal("0.00001")!, minNotional: ExactDecimal("5")!)
    static let now: Int64 = 1_800_000_000_000_000_000
    /// The venue's market: 50000 / 50001.
    static let market = quote("50000", "50001")
    let policy = PricePolicy()

    static func quote(_ bid: String, _ ask: String, age: Int64 = 0) -> Quote {
        Quote(bid: ExactDecimal(bid)!, ask: ExactDecimal(ask)!, ts: now - age)
    }

    static func order(_ side: Side, _ type: OrderType = .limit, price: String? = nil, quote: Quote? = nil) -> OrderSubmit {
        OrderSubmit(
            clientOrderId: "p-1", account: "acct-1", symbol: "BTC/USDT", side: side, type: type,
            qty: ExactDecimal("0.01")!, price: price.map { ExactDecimal($0)! }, quote: quote)
    }

    func refusal(_ submit: OrderSubmit, market: Quote? = PricePolicyTests.market) -> ServiceError? {
        do {
            _ = try policy.venuePrice(for: submit, instrument: Self.instrument, market: market, now: Self.now)
            return nil
        } catch {
            return error
        }
    }

    @Test("a client quote of 1000 while the market is ~50000 is refused: SLIPPAGE / quote_off_market, on either side")
    func quoteFarFromTheMarket() {
        let far = Self.quote("999", "1001")
        for submit in [Self.order(.sell, price: "1000", quote: far), Self.order(.buy, price: "1000", quote: far), Self.order(.sell, .market, quote: far)] {
            let error = refusal(submit)
            #expect(error?.code == .slippage && error?.reason == "quote_off_market", "\(String(describing: error))")
        }
    }

    @Test("without a client quote, a sell far below the market is SLIPPAGE / price_through_reference; a resting buy far below passes")
    func bandAgainstTheMarket() throws {
        #expect(refusal(Self.order(.sell, price: "1000"))?.reason == "price_through_reference")
        #expect(refusal(Self.order(.buy, price: "60000"))?.reason == "price_through_reference")
        #expect(refusal(Self.order(.buy, price: "1000")) == nil, "a passive buy is not slippage")
        let capped = try policy.venuePrice(for: Self.order(.buy, .market), instrument: Self.instrument, market: Self.market, now: Self.now)
        #expect(capped.price == ExactDecimal("50251")! && capped.tif == .ioc, "ask × 1.005, down to the tick")
    }

    @Test("a client quote near the market can only narrow the band, never widen it")
    func clientQuoteNarrows() throws {
        // A client quote 1 % above the market would allow a buy up to ~50756: the market's band (50251) still holds.
        let higher = Self.quote("50500", "50501")
        #expect(refusal(Self.order(.buy, price: "50500", quote: higher))?.reason == "price_through_reference")
        // A client quote 1 % below narrows the buy cap below the market's.
        let lower = Self.quote("49500", "49501")
        #expect(refusal(Self.order(.buy, price: "50000", quote: lower))?.reason == "price_through_reference")
        let market = try policy.venuePrice(for: Self.order(.buy, .market, quote: lower), instrument: Self.instrument, market: Self.market, now: Self.now)
        #expect(market.price == ExactDecimal("49748.5")!, "the client's cap 49501 × 1.005, the stricter one")
    }

    @Test("quote freshness: no venue quote, a stale venue or client quote, a client quote from the future are QUOTE_EXPIRED")
    func freshness() {
        #expect(refusal(Self.order(.buy, price: "1000"), market: nil)?.reason == "no_quote")
        #expect(refusal(Self.order(.buy, price: "1000"), market: Self.quote("50000", "50001", age: 11_000_000_000))?.reason == "quote_too_old")
        #expect(refusal(Self.order(.buy, price: "1000", quote: Self.quote("50000", "50001", age: 11_000_000_000)))?.reason == "quote_too_old")
        #expect(refusal(Self.order(.buy, price: "1000", quote: Self.quote("50000", "50001", age: -60_000_000_000)))?.reason == "quote_from_future")
    }

    @Test("an implausible client quote is INVALID_PRICE / bad_quote, never an overflow trap")
    func implausibleClientQuote() {
        for (bid, ask) in [("0", "1"), ("50001", "50000"), ("100000000000000", "100000000000000")] {
            let error = refusal(Self.order(.buy, price: "1000", quote: Self.quote(bid, ask)))
            #expect(error?.code == .invalidPrice && error?.reason == "bad_quote", "\(bid)/\(ask): \(String(describing: error))")
        }
    }

    @Test("an implausible venue tick is dropped, the last good quote stays")
    func implausibleTick() async {
        let quotes = MarketQuotes()
        await quotes.update(VenueTick(symbol: "BTC/USDT", bid: ExactDecimal("50000")!, ask: ExactDecimal("50001")!, last: ExactDecimal("50000")!, ts: 1))
        await quotes.update(VenueTick(symbol: "BTC/USDT", bid: ExactDecimal("170000000000000")!, ask: ExactDecimal("170000000000000")!, last: ExactDecimal("1")!, ts: 2))
        #expect(await quotes.quote(for: "BTC/USDT")?.ts == 1)
        #expect(await quotes.implausible == 1)
    }
}
