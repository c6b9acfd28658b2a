import TradingModel

/// One row of the `fills` projection: a venue trade with its owner and journal seq.
public struct FillRow: Codable, Sendable, Equatable {
    /// The journal seq of the `fill.recorded` fact that recorded the trade.
    public var seq: Int64
    /// The account the trade belongs to.
    public var account: String
    /// The trade as the venue reported it.
    public var fill: FillRecorded

    /// Creates a fill row.
    public init(seq: Int64, account: String, fill: FillRecorded) {
        self.seq = seq
        self.account = account
        self.fill = fill
    }
}
