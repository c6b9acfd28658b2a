import TradingModel

/// One row of the `fills` projection: a venue trade with its owner and journal seq.
public struct FillRow: Codable, Sendable, Equatable {
    /// The journal seq of the `fill.recorded` fact that recorded the trade.
    public var seq: Int64
    /// The account the trade belongs to.
    public var account: String
    /// The trade as the venue reported it.
    public var fill: FillRecorded
    /// The venue the trade id belongs to: trade ids are unique per venue only.
    /// Taken from the fact id `fill:<venue>:<trade id>` (`FillRecorded.factId`);
    /// empty for a fill fact whose id does not follow that form.
    public var venue: String

    /// Creates a fill row.
    public init(seq: Int64, account: String, fill: FillRecorded, venue: String = "") {
        self.seq = seq
        self.account = account
        self.fill = fill
        self.venue = venue
    }

    /// The venue named by a fill fact id `fill:<venue>:<tradeId>`, or "" for another form.
    public static func venue(factId: String, tradeId: String) -> String {
        let prefix = "fill:", suffix = ":" + tradeId
        guard factId.hasPrefix(prefix), factId.hasSuffix(suffix),
              factId.utf8.count > prefix.utf8.count + suffix.utf8.count
        else { return "" }
        return String(factId.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
