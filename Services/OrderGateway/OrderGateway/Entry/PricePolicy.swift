import BusProtocol
import TradingModel

/// Quote freshness (G6) and slippage protection (G7): the price an order goes out at.
///
/// The band is always measured against the gateway's own venue quote (the market). A
/// client's quote can only narrow it: the band is the intersection of the market's band
/// and the client's. A client quote far from the market is refused (`quote_off_market`),
/// so a stale or wrong client price can never widen what an order may pay.
public struct PricePolicy: Sendable {
    /// A quote (the venue's or the client's) older than this is refused (QUOTE_EXPIRED).
    public var maxQuoteAgeNanos: Int64 = 10_000_000_000
    /// How far a quote's time may be ahead of the gateway's clock (a future quote never expires).
    public var maxClockSkewNanos: Int64 = 1_000_000_000
    /// How far through the reference a limit may be, and where market orders are capped.
    public var maxSlippage = ExactDecimal("0.005")!
    /// How far a client quote's mid may be from the venue's mid, as a fraction of the venue's.
    public var maxQuoteDeviation = ExactDecimal("0.02")!

    public init() {}

    /// The limit price for the venue, and its time in force. `market` is the gateway's latest
    /// venue quote for the symbol (nil: none yet); `MarketQuotes` keeps only plausible ones.
    public func venuePrice(for submit: OrderSubmit, instrument: Instrument, market: Quote?, now: Int64) throws(ServiceError) -> (price: ExactDecimal, tif: TimeInForce) {
        guard let market else {
            throw ServiceError(.quoteExpired, reason: "no_quote", "no market data for \(submit.symbol) yet; retry", retryAfterMs: 500)
        }
        try checkFresh(market, now: now, whose: "the venue's quote")
        var band = Band(market, slippage: maxSlippage, tick: instrument.tickSize)
        if let client = submit.quote {
            guard client.isPlausible else {
                throw ServiceError(.invalidPrice, reason: "bad_quote", "the order's quote needs 0 < bid ≤ ask < \(Quote.priceBound)")
            }
            try checkFresh(client, now: now, whose: "the order's quote")
            try checkNearMarket(client, market)
            band = band.narrowed(by: Band(client, slippage: maxSlippage, tick: instrument.tickSize))
        }
        switch (submit.type, submit.side) {
        case (.market, let side):
            let price = side == .buy ? band.maxBuy : band.minSell
            guard let notional = submit.qty.checkedMultiplied(by: price, rounding: .down), notional >= instrument.minNotional else {
                throw ServiceError(.minNotional, reason: "below_min_notional", "qty × price is below the minimum notional \(instrument.minNotional)")
            }
            return (price, .ioc)
        case (.limit, .buy):
            let price = submit.price ?? .zero
            guard price <= band.maxBuy else { throw slippage(price, band.maxBuy) }
            return (price, submit.timeInForce ?? .gtc)
        case (.limit, .sell):
            let price = submit.price ?? .zero
            guard price >= band.minSell else { throw slippage(price, band.minSell) }
            return (price, submit.timeInForce ?? .gtc)
        }
    }

    private func checkFresh(_ quote: Quote, now: Int64, whose: String) throws(ServiceError) {
        guard quote.ts <= now + maxClockSkewNanos else {
            throw ServiceError(.quoteExpired, reason: "quote_from_future", "\(whose) ts is ahead of the gateway's clock; send the venue's quote time")
        }
        guard now - quote.ts <= maxQuoteAgeNanos else {
            throw ServiceError(.quoteExpired, reason: "quote_too_old", "\(whose) is older than \(maxQuoteAgeNanos / 1_000_000_000) s")
        }
    }

    /// Refuses a client quote whose mid is more than `maxQuoteDeviation` from the venue's
    /// (compared as bid + ask sums: no division, exact).
    private func checkNearMarket(_ client: Quote, _ market: Quote) throws(ServiceError) {
        let marketSum = market.bid + market.ask
        let allowed = marketSum.multiplied(by: maxQuoteDeviation, rounding: .down)
        guard (client.bid + client.ask - marketSum).abs <= allowed else {
            throw ServiceError(
                .slippage, reason: "quote_off_market",
                "the order's quote (bid \(client.bid), ask \(client.ask)) is more than \(maxQuoteDeviation) from the venue's market (bid \(market.bid), ask \(market.ask)); send a current quote")
        }
    }

    private func slippage(_ price: ExactDecimal, _ bound: ExactDecimal) -> ServiceError {
        ServiceError(.slippage, reason: "price_through_reference", "limit \(price) is more than \(maxSlippage) through the market (bound \(bound))")
    }

    /// The prices an order may go out at: buys at most `maxBuy`, sells at least `minSell`.
    struct Band {
        var maxBuy: ExactDecimal
        var minSell: ExactDecimal

        init(_ quote: Quote, slippage: ExactDecimal, tick: ExactDecimal) {
            maxBuy = quote.ask.multiplied(by: ExactDecimal(1) + slippage, rounding: .down).rounded(toIncrement: tick, .down)
            minSell = quote.bid.multiplied(by: ExactDecimal(1) - slippage, rounding: .up).rounded(toIncrement: tick, .up)
        }

        /// The stricter of both bands on each side.
        func narrowed(by other: Band) -> Band {
            var band = self
            band.maxBuy = min(maxBuy, other.maxBuy)
            band.minSell = max(minSell, other.minSell)
            return band
        }
    }
}
