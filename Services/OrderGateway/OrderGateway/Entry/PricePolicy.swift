import BusProtocol
import TradingModel

/// Quote freshness (G6) and slippage protection (G7): the price an order goes out at.
public struct PricePolicy: Sendable {
    /// A reference quote older than this is refused (QUOTE_EXPIRED).
    public var maxQuoteAgeNanos: Int64 = 10_000_000_000
    /// How far a client's quote time may be ahead of the gateway's clock (a future quote never expires).
    public var maxClockSkewNanos: Int64 = 1_000_000_000
    /// How far through the reference a limit may be, and where market orders are capped.
    public var maxSlippage = ExactDecimal("0.005")!

    public init() {}

    /// The limit price for the venue, and its time in force.
    public func venuePrice(for submit: OrderSubmit, instrument: Instrument, quote: Quote?, now: Int64) throws(ServiceError) -> (price: ExactDecimal, tif: TimeInForce) {
        guard let quote else {
            throw ServiceError(.quoteExpired, reason: "no_quote", "no market data for \(submit.symbol) yet; retry", retryAfterMs: 500)
        }
        guard quote.ts <= now + maxClockSkewNanos else {
            throw ServiceError(.quoteExpired, reason: "quote_from_future", "the reference quote's ts is ahead of the gateway's clock; send the venue's quote time")
        }
        guard now - quote.ts <= maxQuoteAgeNanos else {
            throw ServiceError(.quoteExpired, reason: "quote_too_old", "the reference quote is older than \(maxQuoteAgeNanos / 1_000_000_000) s")
        }
        let up = ExactDecimal(1) + maxSlippage, down = ExactDecimal(1) - maxSlippage
        let capBuy = quote.ask.multiplied(by: up, rounding: .down).rounded(toIncrement: instrument.tickSize, .down)
        let capSell = quote.bid.multiplied(by: down, rounding: .up).rounded(toIncrement: instrument.tickSize, .up)
        switch (submit.type, submit.side) {
        case (.market, let side):
            let price = side == .buy ? capBuy : capSell
            guard let notional = submit.qty.checkedMultiplied(by: price, rounding: .down), notional >= instrument.minNotional else {
                throw ServiceError(.minNotional, reason: "below_min_notional", "qty × price is below the minimum notional \(instrument.minNotional)")
            }
            return (price, .ioc)
        case (.limit, .buy):
            let price = submit.price ?? .zero
            guard price <= capBuy else { throw slippage(price, capBuy) }
            return (price, submit.timeInForce ?? .gtc)
        case (.limit, .sell):
            let price = submit.price ?? .zero
            guard price >= capSell else { throw slippage(price, capSell) }
            return (price, submit.timeInForce ?? .gtc)
        }
    }

    private func slippage(_ price: ExactDecimal, _ bound: ExactDecimal) -> ServiceError {
        ServiceError(.slippage, reason: "price_through_reference", "limit \(price) is more than \(maxSlippage) through the reference (bound \(bound))")
    }
}
