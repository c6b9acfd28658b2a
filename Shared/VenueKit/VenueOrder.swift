import TradingModel

/// The state of an order at the venue; `filled`, `canceled`, `rejected` and `expired` are terminal.
public enum VenueOrderStatus: String, Codable, Sendable, CaseIterable {
    /// Accepted and working (resting on the book), nothing filled yet.
    case new
    /// Working, part of the quantity filled.
    case partiallyFilled = "partially_filled"
    /// The whole quantity filled.
    case filled
    /// Canceled by the client, or an IOC/FOK order that found nothing to match.
    case canceled
    /// Refused by the venue (e.g. insufficient balance); `reason` says why.
    case rejected
    /// Ended by the venue for time reasons.
    case expired

    /// Whether the order can no longer change.
    public var isTerminal: Bool {
        switch self {
        case .new, .partiallyFilled: false
        case .filled, .canceled, .rejected, .expired: true
        }
    }
}

/// An order as the venue knows it: the reply to `venue.place`, `venue.order`, `venue.cancel`.
public struct VenueOrder: Codable, Sendable, Equatable {
    /// The venue's id for the order, e.g. `V000000000001`.
    public var venueOrderId: String
    /// The client's id for the order (unique within the account).
    public var clientOrderId: String
    /// The venue account that placed the order.
    public var account: String
    /// The instrument, e.g. `BTC/USDT`.
    public var symbol: String
    /// Buy or sell the base asset.
    public var side: Side
    /// Market or limit.
    public var type: OrderType
    /// The ordered quantity in base units.
    public var qty: Quantity
    /// The limit price; absent for market orders.
    public var price: Price?
    /// GTC, IOC or FOK as placed.
    public var timeInForce: TimeInForce
    /// Where the order stands now.
    public var status: VenueOrderStatus
    /// The quantity filled so far.
    public var filledQty: Quantity
    /// The quantity-weighted average fill price; absent until something filled.
    public var avgPrice: Price?
    /// Why the order was rejected or canceled, snake_case (e.g. `insufficient_balance`).
    public var reason: String?
    /// Venue time the order was accepted, unix nanoseconds.
    public var createdTs: Int64
    /// Every fill of this order, oldest first.
    public var fills: [VenueFill]

    /// Creates an order.
    public init(
        venueOrderId: String, clientOrderId: String, account: String, symbol: String, side: Side,
        type: OrderType, qty: Quantity, price: Price?, timeInForce: TimeInForce,
        status: VenueOrderStatus, filledQty: Quantity, avgPrice: Price?, reason: String?,
        createdTs: Int64, fills: [VenueFill]
    ) {
        self.venueOrderId = venueOrderId
        self.clientOrderId = clientOrderId
        self.account = account
        self.symbol = symbol
        self.side = side
        self.type = type
        self.qty = qty
        self.price = price
        self.timeInForce = timeInForce
        self.status = status
        self.filledQty = filledQty
        self.avgPrice = avgPrice
        self.reason = reason
        self.createdTs = createdTs
        self.fills = fills
    }

    private enum CodingKeys: String, CodingKey {
        case account, symbol, side, type, qty, price, status, reason, fills
        case venueOrderId = "venue_order_id"
        case clientOrderId = "client_order_id"
        case timeInForce = "time_in_force"
        case filledQty = "filled_qty"
        case avgPrice = "avg_price"
        case createdTs = "created_ts"
    }
}
