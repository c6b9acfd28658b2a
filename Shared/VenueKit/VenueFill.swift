import TradingModel

/// One trade of one of our orders; `trade_id` is unique per venue (exactly-once key).
public struct VenueFill: Codable, Sendable, Equatable {
    /// The venue trade id, e.g. `T000000000001`: the exactly-once key of a fill.
    public var tradeId: String
    /// The venue's trade sequence: strictly increasing across the whole venue.
    public var tradeSeq: Int64
    /// The venue's id of the order that traded.
    public var venueOrderId: String
    /// The client's id of the order that traded.
    public var clientOrderId: String
    /// The account that traded.
    public var account: String
    /// The instrument traded.
    public var symbol: String
    /// The side of our order.
    public var side: Side
    /// The quantity traded, in base units.
    public var qty: Quantity
    /// The trade price.
    public var price: Price
    /// The fee charged for this trade, in `feeAsset`.
    public var fee: Money
    /// The asset the fee is charged in (the quote asset).
    public var feeAsset: String
    /// Venue time of the trade, unix nanoseconds.
    public var ts: Int64

    /// Creates a fill.
    public init(
        tradeId: String, tradeSeq: Int64, venueOrderId: String, clientOrderId: String, account: String,
        symbol: String, side: Side, qty: Quantity, price: Price, fee: Money, feeAsset: String, ts: Int64
    ) {
        self.tradeId = tradeId
        self.tradeSeq = tradeSeq
        self.venueOrderId = venueOrderId
        self.clientOrderId = clientOrderId
        self.account = account
        self.symbol = symbol
        self.side = side
        self.qty = qty
        self.price = price
        self.fee = fee
        self.feeAsset = feeAsset
        self.ts = ts
    }

    private enum CodingKeys: String, CodingKey {
        case account, symbol, side, qty, price, fee, ts
        case tradeId = "trade_id"
        case tradeSeq = "trade_seq"
        case venueOrderId = "venue_order_id"
        case clientOrderId = "client_order_id"
        case feeAsset = "fee_asset"
    }
}
