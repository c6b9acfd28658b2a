/// A reference quote a client attaches to an order, for freshness (G6) and slippage (G7) checks.
public struct Quote: Codable, Sendable, Equatable {
    /// The best bid when the client decided.
    public var bid: Price
    /// The best ask when the client decided.
    public var ask: Price
    /// When the quote was observed, unix nanoseconds.
    public var ts: Int64

    /// Creates a quote.
    public init(bid: Price, ask: Price, ts: Int64) {
        self.bid = bid
        self.ask = ask
        self.ts = ts
    }
}

extension Quote {
    /// The highest price a quote may carry (exclusive): 10^12, the journal's magnitude bound,
    /// so sums and products of quote prices can never overflow.
    public static let priceBound = ExactDecimal(1_000_000_000_000)

    /// Whether the quote can be a market: 0 < bid ≤ ask < `priceBound`. Only such quotes are
    /// used for pricing; anything else is refused (a client's) or dropped (a venue tick).
    public var isPlausible: Bool { bid.isPositive && bid <= ask && ask < Self.priceBound }
}
