import TradingModel
import VenueKit

/// The latest venue quote per symbol, from the venue's market-data stream. A tick that
/// cannot be a market (see `Quote.isPlausible`) is dropped and counted, never priced on.
actor MarketQuotes {
    private var latest: [String: Quote] = [:]
    /// Ticks dropped as implausible.
    private(set) var implausible = 0

    func update(_ tick: VenueTick) {
        let quote = Quote(bid: tick.bid, ask: tick.ask, ts: tick.ts)
        guard quote.isPlausible else {
            implausible += 1
            return
        }
        latest[tick.symbol] = quote
    }

    func quote(for symbol: String) -> Quote? { latest[symbol] }

    /// Whether there is a quote for every one of `symbols`.
    func covers(_ symbols: [String]) -> Bool { symbols.allSatisfy { latest[$0] != nil } }
}
