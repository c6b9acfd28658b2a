import TradingModel
import VenueKit

/// The synthetic top of book of one symbol: a mid price on the tick grid and a
/// fixed spread around it, with unlimited liquidity at the bid and at the ask.
///
/// The spread is exactly `spreadTicks` ticks: the bid sits `spreadTicks / 2` ticks
/// below the mid, the ask `spreadTicks` ticks above the bid. The bid never goes
/// below one tick, so every price stays positive.
struct SyntheticBook: Sendable, Codable {
    /// The instrument this book quotes.
    let instrument: Instrument
    /// The width of the spread in ticks (at least 1).
    let spreadTicks: Int
    /// The mid price, always a multiple of the tick size.
    private(set) var mid: Price
    /// The price of the last trade on this symbol, if any.
    var lastTrade: Price?
    /// Venue time of the last quote change, unix nanoseconds.
    private(set) var ts: Int64

    /// Creates a book around `startPrice`, rounded to the tick grid (half-even) and
    /// lifted to the lowest mid that keeps the bid positive.
    init(instrument: Instrument, startPrice: Price, spreadTicks: Int, ts: Int64) {
        precondition(spreadTicks >= 1, "spreadTicks must be at least 1, got \(spreadTicks)")
        precondition(startPrice.isPositive, "start price of \(instrument.symbol) must be positive")
        self.instrument = instrument
        self.spreadTicks = spreadTicks
        self.mid = startPrice.rounded(toIncrement: instrument.tickSize, .halfEven)
        self.ts = ts
        self.mid = max(mid, lowestMid)
    }

    /// `count` ticks as a price difference.
    func ticks(_ count: Int) -> Price {
        instrument.tickSize.multiplied(by: ExactDecimal(count), rounding: .halfEven)
    }

    /// The best bid: where a sell executes at once.
    var bid: Price { mid - ticks(spreadTicks / 2) }

    /// The best ask: where a buy executes at once.
    var ask: Price { bid + ticks(spreadTicks) }

    /// The lowest mid whose bid is still one tick.
    private var lowestMid: Price { ticks(spreadTicks / 2 + 1) }

    /// The price an order would execute at now, or `nil` if its limit does not reach
    /// the touch: a buy at the ask when `limit ≥ ask`, a sell at the bid when `limit ≤ bid`;
    /// a market order (`limit == nil`) always executes.
    func executionPrice(side: Side, limit: Price?) -> Price? {
        switch side {
        case .buy:
            guard let limit else { return ask }
            return limit >= ask ? ask : nil
        case .sell:
            guard let limit else { return bid }
            return limit <= bid ? bid : nil
        }
    }

    /// Moves the mid by `stepTicks` ticks (floored so the bid stays positive) at `now`.
    mutating func move(byTicks stepTicks: Int, trendBps: Int = 0, now: Int64) {
        let trend = mid.multiplied(by: ExactDecimal(trendBps), rounding: .halfEven)
            .divided(by: ExactDecimal(10_000), rounding: .halfEven)
            .rounded(toIncrement: instrument.tickSize, .halfEven)
        mid = max(mid + ticks(stepTicks) + trend, lowestMid)
        ts = now
    }

    /// The current quote; `last` is the last trade price, or the mid before any trade.
    var tick: VenueTick {
        VenueTick(symbol: instrument.symbol, bid: bid, ask: ask, last: lastTrade ?? mid, ts: ts)
    }
}
