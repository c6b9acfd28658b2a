import TradingModel

/// The latest mark (mid of bid and ask) per symbol from the venue's market data, and
/// when each arrived by the risk-service's own clock (the staleness that matters is
/// how long risk has been without news, not the venue's timestamp).
public struct Marks: Sendable, Equatable {
    /// One symbol's latest quote.
    public struct Mark: Sendable, Equatable {
        /// The best bid.
        public var bid: ExactDecimal
        /// The best ask.
        public var ask: ExactDecimal
        /// (bid + ask) / 2.
        public var mid: ExactDecimal
        /// When it arrived, unix nanoseconds (injected clock).
        public var receivedAt: Int64
    }

    /// The latest mark per symbol.
    public private(set) var bySymbol: [String: Mark] = [:]

    /// No marks yet.
    public init() {}

    /// Takes a quote in; a crossed or non-positive quote is ignored (bad market data never becomes a mark).
    public mutating func update(symbol: String, bid: ExactDecimal, ask: ExactDecimal, now: Int64) {
        guard bid.isPositive, ask >= bid else { return }
        let mid = (bid + ask).divided(by: ExactDecimal(2), rounding: .halfEven)
        bySymbol[symbol] = Mark(bid: bid, ask: ask, mid: mid, receivedAt: now)
    }

    /// The mid of `symbol`, if any.
    public func mid(_ symbol: String) -> ExactDecimal? { bySymbol[symbol]?.mid }

    /// Half the spread of `symbol` (zero without a mark).
    public func halfSpread(_ symbol: String) -> ExactDecimal {
        guard let mark = bySymbol[symbol] else { return .zero }
        return (mark.ask - mark.bid).divided(by: ExactDecimal(2), rounding: .up)
    }

    /// The price of one unit of `asset` in `valuation` (1 for the valuation asset itself).
    public func price(of asset: String, in valuation: String) -> ExactDecimal? {
        asset == valuation ? ExactDecimal(1) : mid("\(asset)/\(valuation)")
    }

    /// Balances valued in `valuation`; assets without a mark are left out. Nil without any priced asset.
    public func equity(totals: [String: ExactDecimal], valuation: String) -> ExactDecimal? {
        var sum: ExactDecimal?
        for (asset, amount) in totals {
            guard let price = price(of: asset, in: valuation) else { continue }
            sum = (sum ?? .zero) + amount.multiplied(by: price, rounding: .halfEven)
        }
        return sum
    }

    /// Whether any symbol's last quote is older than `maxAgeNanos` (symbols never seen do not count).
    public func isStale(now: Int64, maxAgeNanos: Int64) -> Bool {
        bySymbol.values.contains { now - $0.receivedAt > maxAgeNanos }
    }
}
