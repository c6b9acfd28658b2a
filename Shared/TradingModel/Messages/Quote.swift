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
