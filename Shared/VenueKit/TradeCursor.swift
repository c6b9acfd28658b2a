/// How far an account's trades were read, per trade series. A venue that numbers its trades
/// once for the whole venue (venue-sim) has one series, `""`; Binance numbers them per symbol,
/// so one cursor for all symbols would skip the trades of a symbol whose ids are lower.
public struct TradeCursor: Sendable, Equatable {
    /// The last trade seq read, per series.
    public private(set) var seqs: [String: Int64]

    public init(_ seqs: [String: Int64] = [:]) {
        self.seqs = seqs
    }

    /// The last trade seq read in `series`, or nil: from its first trade.
    public func last(in series: String) -> Int64? { seqs[series] }

    /// Moves `series` forward to `seq` (never back).
    public mutating func advance(_ series: String, to seq: Int64) {
        seqs[series] = max(seqs[series] ?? seq, seq)
    }

    /// This cursor moved past `fills`, each in the series `venue` numbers it in.
    public func advanced(past fills: [VenueFill], of venue: some Venue) -> TradeCursor {
        var cursor = self
        for fill in fills { cursor.advance(venue.tradeSeries(of: fill), to: fill.tradeSeq) }
        return cursor
    }
}
