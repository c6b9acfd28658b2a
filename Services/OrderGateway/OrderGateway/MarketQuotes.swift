import TradingModel
import VenueKit

/// The latest venue quote per symbol, from the venue's market-data stream.
actor MarketQuotes {
    private var latest: [String: Quote] = [:]

    func update(_ tick: VenueTick) {
        latest[tick.symbol] = Quote(bid: tick.bid, ask: tick.ask, ts: tick.ts)
    }

    func quote(for symbol: String) -> Quote? { latest[symbol] }

    /// Whether there is a quote for every one of `symbols`.
    func covers(_ symbols: [String]) -> Bool { symbols.allSatisfy { latest[$0] != nil } }
}
